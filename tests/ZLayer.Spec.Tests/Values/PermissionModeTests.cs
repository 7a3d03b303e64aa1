using ZLayer.Spec.Values;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Values;

public sealed class PermissionModeTests
{
    [Theory]
    [InlineData("1777", 0x3FF)]
    [InlineData("01777", 0x3FF)]
    [InlineData("0o1777", 0x3FF)]
    [InlineData("0O1777", 0x3FF)]
    [InlineData("0755", 0x1ED)]
    [InlineData("755", 0x1ED)]
    [InlineData("0", 0)]
    [InlineData("7777", 0xFFF)]
    [InlineData("07777", 0xFFF)]
    public void Digits_are_read_as_octal(string text, int expected)
    {
        Assert.True(PermissionMode.TryParse(text, out var mode, out var error), error);
        Assert.Equal((uint)expected, mode.Value);
    }

    [Theory]
    [InlineData("8", "write octal digits")]
    [InlineData("0o8", "write octal digits")]
    [InlineData("0789", "write octal digits")]
    [InlineData("rwx", "write octal digits")]
    [InlineData("", "write octal digits")]
    [InlineData("0o", "write octal digits")]
    [InlineData("-755", "write octal digits")]
    [InlineData("17777", "at most 7777")]
    [InlineData("0777777", "write octal digits")]
    public void Rejects_non_octal_text(string text, string reason)
    {
        Assert.False(PermissionMode.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData(0x3FF, "01777")]
    [InlineData(0x1ED, "0755")]
    [InlineData(0, "0000")]
    public void Writes_octal_with_a_leading_zero(int value, string expected)
    {
        var mode = new PermissionMode((uint)value);
        Assert.Equal(expected, mode.ToSpecString());
        Assert.True(PermissionMode.TryParse(mode.ToSpecString(), out var again, out _));
        Assert.Equal(mode, again);
    }

    [Theory]
    [InlineData("1777")]
    [InlineData("0o1777")]
    [InlineData("\"1777\"")]
    public void Tmpfs_mode_1777_means_sticky_world_writable(string written)
    {
        var result = Load(OneService($"storage: [{{ type: tmpfs, target: /tmp, mode: {written} }}]"));
        AssertClean(result);
        Assert.Equal(Convert.ToUInt32("1777", 8), result.Spec!.Services["web"].Storage[0].Mode!.Value.Value);
    }

    [Fact]
    public void Invalid_mode_in_a_spec_is_an_error_at_the_value()
    {
        var yaml = OneService("storage: [{ type: tmpfs, target: /tmp, mode: 1889 }]");
        var error = SingleError(Load(yaml));
        Assert.Equal("'services.web.storage[0].mode': invalid mode '1889': write octal digits, e.g. 1777 or 0755", error.Message);
        AssertAt(error, yaml, "1889");
    }
}
