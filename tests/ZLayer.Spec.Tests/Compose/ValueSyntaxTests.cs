using ZLayer.Spec.Compose;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>Compose's duration and byte-size syntaxes.</summary>
public sealed class ValueSyntaxTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h5m", 3_900_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2us", 0.002)]
    [InlineData("0", 0)]
    public void Durations(string text, double milliseconds)
    {
        Assert.True(ComposeDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value.Value);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("10 seconds")]
    [InlineData("s")]
    [InlineData("")]
    [InlineData("1d")]
    public void Bad_durations(string text) => Assert.False(ComposeDuration.TryParse(text, out _, out _));

    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("100b", 100L)]
    [InlineData("1k", 1024L)]
    [InlineData("512m", 512L << 20)]
    [InlineData("512M", 512L << 20)]
    [InlineData("1gb", 1L << 30)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1.5k", 1536L)]
    [InlineData("2t", 2L << 40)]
    public void Byte_sizes_are_binary_like_docker(string text, long bytes)
    {
        Assert.True(ComposeByteSize.TryParse(text, out var value, out var error), error);
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("12x")]
    [InlineData("-1m")]
    [InlineData("m")]
    [InlineData("99999999999999999999t")]
    public void Bad_byte_sizes(string text) => Assert.False(ComposeByteSize.TryParse(text, out _, out _));

    [Theory]
    [InlineData(512L << 20, "512Mi", true)]
    [InlineData(1L << 30, "1024Mi", true)]
    [InlineData(1536L, "2Ki", false)]
    [InlineData(3072L, "3Ki", true)]
    public void Binary_units(long bytes, string expected, bool exact)
    {
        Assert.Equal(expected, ComposeByteSize.ToBinaryUnits(bytes, out var isExact));
        Assert.Equal(exact, isExact);
    }
}
