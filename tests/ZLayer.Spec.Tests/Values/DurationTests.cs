using ZLayer.Spec.Values;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Values;

public sealed class DurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1h 30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2days", 172_800_000)]
    [InlineData("1day", 86_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("2weeks", 1_209_600_000)]
    [InlineData("90sec", 90_000)]
    [InlineData("1second", 1_000)]
    [InlineData("3mins", 180_000)]
    [InlineData("1minute", 60_000)]
    [InlineData("2hr", 7_200_000)]
    [InlineData("2hours", 7_200_000)]
    [InlineData("1h30m15s500ms", 5_415_500)]
    [InlineData("0s", 0)]
    [InlineData("  45s  ", 45_000)]
    public void Accepts_humantime_durations(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration.Value);
    }

    [Fact]
    public void Capital_M_is_a_month_and_small_m_a_minute()
    {
        Assert.True(Duration.TryParse("1M", out var month, out _));
        Assert.True(Duration.TryParse("1m", out var minute, out _));
        Assert.True(Duration.TryParse("1y", out var year, out _));
        Assert.Equal(TimeSpan.FromSeconds(2_630_016), month.Value); // 30.44 days, as humantime
        Assert.Equal(TimeSpan.FromMinutes(1), minute.Value);
        Assert.Equal(TimeSpan.FromSeconds(31_557_600), year.Value); // 365.25 days
    }

    [Fact]
    public void Sub_millisecond_units_are_kept_to_the_tick()
    {
        Assert.True(Duration.TryParse("10us", out var micros, out _));
        Assert.True(Duration.TryParse("300ns", out var nanos, out _));
        Assert.Equal(TimeSpan.FromTicks(100), micros.Value);
        Assert.Equal(TimeSpan.FromTicks(3), nanos.Value);
    }

    [Theory]
    [InlineData("30", "time unit needed")]
    [InlineData("1.5h", "fractions are not allowed (write 1h30m, not 1.5h)")]
    [InlineData("5x", "unknown unit 'x'")]
    [InlineData("5H", "unknown unit 'H'")]
    [InlineData("", "empty duration")]
    [InlineData("   ", "empty duration")]
    [InlineData("-5s", "expected a number at position 1")]
    [InlineData("h", "expected a number")]
    [InlineData("1h30", "time unit needed")]
    [InlineData("99999999999999999999s", "number too large")]
    [InlineData("999999999999d", "too long")]
    public void Rejects_malformed_durations_with_a_reason(string text, string reason)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData(330, "5m 30s")]
    [InlineData(5_400, "1h 30m")]
    [InlineData(0, "0s")]
    [InlineData(90_061, "1d 1h 1m 1s")]
    [InlineData(1.5, "1s 500ms")]
    public void Formats_like_humantime(double seconds, string expected)
    {
        Assert.Equal(expected, Duration.FromSeconds(seconds).ToSpecString());
    }

    [Theory]
    [InlineData("1h30m")]
    [InlineData("1M")]
    [InlineData("1y 2w 3d")]
    [InlineData("500ms")]
    [InlineData("1s 1ms 1us")]
    [InlineData("7days 12h")]
    public void Formatting_round_trips(string text)
    {
        Assert.True(Duration.TryParse(text, out var first, out _));
        Assert.True(Duration.TryParse(first.ToSpecString(), out var second, out var error), error);
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_bare_number_in_a_spec_is_an_error_at_the_value()
    {
        var yaml = Services("""
            db:
              image: { name: postgres }
            web:
              image: { name: nginx }
              depends: [{ service: db, timeout: 30 }]
            """);
        var error = SingleError(Load(yaml));
        Assert.Equal("'services.web.depends[0].timeout': invalid duration '30': time unit needed, e.g. 30s or 30m", error.Message);
        Assert.Equal("services.web.depends[0].timeout", error.Path);
        AssertAt(error, yaml, "30 }");
    }
}
