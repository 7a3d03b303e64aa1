using ZLayer.Spec.Values;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Values;

public sealed class MemorySizeTests
{
    [Theory]
    [InlineData("512Mi", 512L * 1024 * 1024)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("1Ki", 1024)]
    [InlineData("2Ti", 2L << 40)]
    [InlineData(" 64Mi ", 64L << 20)]
    public void Accepts_binary_suffixes(string text, long bytes)
    {
        Assert.True(MemorySize.TryParse(text, out var size, out var error), error);
        Assert.Equal(bytes, size.Bytes);
        Assert.Equal(text.Trim(), size.ToSpecString());
    }

    [Theory]
    [InlineData("512M", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("1G", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("1024", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("1gi", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("Mi", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("1.5Gi", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("-1Mi", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("+1Mi", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("", "write a whole number with Ki, Mi, Gi or Ti")]
    [InlineData("0Mi", "must be greater than zero")]
    [InlineData("0Ki", "must be greater than zero")]
    [InlineData("8388608Ti", "too large")]
    [InlineData("99999999999999999999Mi", "write a whole number")]
    public void Rejects_anything_else(string text, string reason)
    {
        Assert.False(MemorySize.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains($"'{text}'", error);
    }

    [Fact]
    public void Largest_size_that_fits_is_accepted()
    {
        Assert.True(MemorySize.TryParse("8388607Ti", out var size, out _));
        Assert.Equal(8388607L << 40, size.Bytes);
    }

    [Fact]
    public void Decimal_suffix_in_a_spec_is_an_error_at_the_value()
    {
        var yaml = OneService("resources: { cpu: 1, memory: 512M }");
        var error = SingleError(Load(yaml));
        Assert.Equal("services.web.resources.memory", error.Path);
        Assert.StartsWith("'services.web.resources.memory': invalid memory size '512M'", error.Message);
        AssertAt(error, yaml, "512M");
    }

    [Fact]
    public void Wasm_max_memory_uses_the_same_rule()
    {
        var yaml = OneService("service_type: wasm_http\nwasm: { max_memory: 1G }");
        var error = SingleError(Load(yaml));
        Assert.Equal("services.web.wasm.max_memory", error.Path);
        AssertAt(error, yaml, "1G");
    }

    [Fact]
    public void Other_size_fields_are_free_text()
    {
        AssertClean(Load(OneService("resources: { memory_swap: 1G, memory_reservation: 512M }\nstorage: [{ type: tmpfs, target: /tmp, size: 1G }]")));
    }
}
