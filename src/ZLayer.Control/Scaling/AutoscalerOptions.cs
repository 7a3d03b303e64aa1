using ZLayer.Spec.Model;

namespace ZLayer.Control.Scaling;

/// <summary>
/// How the autoscaler samples and how cautious it is. The defaults react to a load step within
/// about two intervals (docs/PERFORMANCE.md) and scale down only after a quiet window, as
/// Kubernetes' HPA does.
/// </summary>
public sealed record AutoscalerOptions
{
    /// <summary>Time between two samples and decisions.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Half-life of the exponential moving average: a sample this old weighs half as much as a new
    /// one. Equal to the interval, a step of load is half seen after one sample and 3/4 after two.
    /// </summary>
    public TimeSpan SmoothingHalfLife { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A scale-down happens only to the highest count recommended during this window, so a dip does not remove replicas.</summary>
    public TimeSpan ScaleDownWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Ratios of observed to target within 1 ± this change nothing, so noise around a target does not churn replicas.</summary>
    public double Tolerance { get; init; } = 0.1;

    /// <summary>The least time between two scaling actions when the spec sets no <c>cooldown</c> (docs/spec.md: 30 s).</summary>
    public TimeSpan DefaultCooldown { get; init; } = StandardCooldown;

    /// <summary>The spec's documented cooldown when none is set.</summary>
    public static TimeSpan StandardCooldown => ScaleSpec.Default.Cooldown!.Value.Value;

    /// <summary>How many decisions per service the store keeps for `zlayer inspect`.</summary>
    public int DecisionsKept { get; init; } = 10;

    /// <summary>Memory a replica without a limit is measured against: the node's.</summary>
    public long NodeMemoryBytes { get; init; } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
}
