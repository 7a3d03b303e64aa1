namespace ZLayer.Control.Scaling;

/// <summary>
/// The decision rule, as a pure function. Proportional, as Kubernetes' HPA: each metric asks for
/// <c>ceil(current × observed / target)</c> replicas, so a service at three times its target
/// triples at once instead of growing by one replica per cooldown; the largest ask wins, so no
/// metric is left over its target. A ratio within the tolerance asks for the current count.
/// The result is bounded by min and max.
/// </summary>
public static class ScalingRule
{
    /// <summary>A smoothed value and the spec's target for one metric.</summary>
    public sealed record Signal(string Metric, double Observed, double Target);

    /// <summary>The count the signals ask for, within bounds, and each signal's own ask.</summary>
    public sealed record Proposal(int Desired, IReadOnlyList<MetricReading> Readings);

    public static Proposal Propose(int current, int min, int max, IReadOnlyList<Signal> signals, double tolerance)
    {
        var readings = signals.Select(s => new MetricReading(s.Metric, s.Observed, s.Target, Wanted(current, s, tolerance))).ToList();

        // A count of 0 (a manual scale to zero) has no load to be proportional to; min brings it back.
        var wanted = current == 0 || readings.Count == 0 ? current : readings.Max(r => r.Wanted);
        return new Proposal(Math.Clamp(wanted, min, Math.Max(min, max)), readings);
    }

    private static int Wanted(int current, Signal signal, double tolerance)
    {
        var ratio = signal.Observed / signal.Target;
        if (Math.Abs(ratio - 1) <= tolerance)
        {
            return current;
        }

        // Rounded a little before the ceiling so that 2.0000000001 (floating point) asks for 2, not 3.
        return (int)Math.Min(int.MaxValue, Math.Ceiling(Math.Round(current * ratio, 6)));
    }
}
