using ZLayer.Spec.Model;

namespace ZLayer.Control.Scaling;

/// <summary>
/// What the autoscaler remembers of one service between passes: the smoothed load and the
/// recent recommendations. Kept in memory only: both are rebuilt from fresh samples after a
/// restart, and the stabilizer then waits a full window before any scale-down.
/// </summary>
internal sealed class ServiceWatch(AutoscalerOptions options, DateTimeOffset since)
{
    private readonly Smoothed _cpu = new(options.SmoothingHalfLife);
    private readonly Smoothed _memory = new(options.SmoothingHalfLife);
    private readonly Smoothed _requests = new(options.SmoothingHalfLife);

    public ScaleDownStabilizer Stabilizer { get; } = new(options.ScaleDownWindow, since);

    /// <summary>
    /// Adds a sample and returns, for every metric that has a target and has been measured, the
    /// smoothed total per replica of <paramref name="current"/>: a replica still starting counts
    /// as one that takes no load yet, as the HPA counts it when scaling up.
    /// </summary>
    public List<ScalingRule.Signal> Smooth(ServiceLoad load, ScaleTargets targets, int current, DateTimeOffset at)
    {
        var signals = new List<ScalingRule.Signal>();
        _cpu.Add(signals, "cpu", load.Cpu, targets.Cpu, current, at);
        _memory.Add(signals, "memory", load.Memory, targets.Memory, current, at);
        _requests.Add(signals, "rps", load.Requests, targets.Rps, current, at);
        return signals;
    }

    private sealed class Smoothed(TimeSpan halfLife)
    {
        private readonly ExponentialAverage _total = new(halfLife);
        private int _replicas;

        public void Add(List<ScalingRule.Signal> signals, string metric, MetricTotal? sample, double? target, int current, DateTimeOffset at)
        {
            if (sample is { } measured)
            {
                _total.Add(measured.Sum, at);
                _replicas = measured.Replicas;
            }

            if (target is > 0 && _total.Value is { } total)
            {
                // More measured than wanted while a scale-down drains: the load is still theirs.
                signals.Add(new ScalingRule.Signal(metric, total / Math.Max(1, Math.Max(current, _replicas)), target.Value));
            }
        }
    }
}
