using ZLayer.Control.Scaling;

namespace ZLayer.Control.Tests.Scaling;

/// <summary>The decision rule and the smoothing on their own, as pure functions of their inputs.</summary>
public sealed class ScalingRuleTests
{
    private static int Desired(int current, int min, int max, params (string Metric, double Observed, double Target)[] signals) =>
        ScalingRule.Propose(current, min, max, [.. signals.Select(s => new ScalingRule.Signal(s.Metric, s.Observed, s.Target))], 0.1).Desired;

    [Theory]
    [InlineData(2, 30, 10, 6)] // three times the target: three times the replicas
    [InlineData(3, 10.5, 10, 3)] // within the tolerance: no change
    [InlineData(3, 9.5, 10, 3)]
    [InlineData(4, 2.5, 10, 1)] // a quarter of the target: a quarter of the replicas
    [InlineData(5, 14, 10, 7)] // 5 × 1.4 = 7 exactly, not 8
    [InlineData(3, 0, 10, 1)] // idle: down to min
    [InlineData(2, 1000, 10, 8)] // capped at max
    public void The_ask_is_proportional_to_the_ratio_and_bounded(int current, double observed, double target, int expected) =>
        Assert.Equal(expected, Desired(current, 1, 8, ("rps", observed, target)));

    [Fact]
    public void With_several_metrics_the_largest_ask_wins()
    {
        Assert.Equal(6, Desired(3, 1, 10, ("cpu", 20, 60), ("rps", 200, 100)));
        Assert.Equal(1, Desired(3, 1, 10, ("cpu", 10, 60), ("rps", 10, 100)));
    }

    [Fact]
    public void The_average_weighs_samples_by_elapsed_time_not_by_count()
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var average = new ExponentialAverage(TimeSpan.FromSeconds(5));

        Assert.Equal(0, average.Add(0, start));
        Assert.Equal(50, average.Add(100, start.AddSeconds(5)), 6); // one half-life: halfway
        Assert.Equal(87.5, average.Add(100, start.AddSeconds(15)), 6); // a skipped pass: two half-lives at once
    }
}
