using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZLayer.Server.Metrics;

/// <summary>The daemon's own gauges: how long it has been up, so restarts show as a drop to zero.</summary>
public sealed class DaemonMetrics
{
    public const string MeterName = "ZLayer.Daemon";

    private readonly long started = Stopwatch.GetTimestamp();

    public DaemonMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("zlayer.daemon.uptime", () => Stopwatch.GetElapsedTime(started).TotalSeconds, "s", "Time since the daemon's API started");
    }
}
