using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZLayer.Control.Telemetry;

/// <summary>
/// The control plane's spans and instruments: a span per deploy and per reconcile pass, pass
/// durations by loop, and store operation latency. Process-wide, like the loops they measure.
/// </summary>
public static class ControlTelemetry
{
    public const string SourceName = "ZLayer.Control";

    public static readonly ActivitySource Source = new(SourceName);

    private static readonly Meter Meter = new(SourceName);

    private static readonly Histogram<double> PassDuration = Meter.CreateHistogram<double>(
        "zlayer.reconcile.duration", "s", "Time one reconcile pass took, by loop and outcome (ok, failed)");

    private static readonly Histogram<double> StoreDuration = Meter.CreateHistogram<double>(
        "zlayer.store.duration", "s", "Time one state store operation took, by operation and outcome (ok, failed)");

    /// <summary>
    /// A span with no parent. Work started from an API request would otherwise hang under the
    /// web host's own request activity, which no tracer records, and a parent-based sampler
    /// would then drop the span with it.
    /// </summary>
    private static Activity? StartRoot(string name)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity.Current = null;
        return Source.StartActivity(name, ActivityKind.Internal);
    }

    /// <summary>
    /// The span of one deploy. It continues the API client's trace when the request carried a
    /// traceparent: the web host has read it into its own request activity, whose parent is the
    /// client's span; that activity itself is left out, as above.
    /// </summary>
    public static Activity? StartDeploy()
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var host = Activity.Current;
        var client = host is { IdFormat: ActivityIdFormat.W3C } && host.ParentSpanId != default
            ? new ActivityContext(host.TraceId, host.ParentSpanId, host.ActivityTraceFlags, host.TraceStateString, isRemote: true)
            : default;
        Activity.Current = null;
        return Source.StartActivity("deploy", ActivityKind.Internal, client);
    }

    /// <summary>Runs one pass of a loop inside its span, recording how long it took.</summary>
    public static async Task PassAsync(string loop, Func<CancellationToken, Task> pass, CancellationToken ct)
    {
        using var span = StartRoot("reconcile " + loop);
        span?.SetTag("zlayer.loop", loop);

        // Recorded but not made current: the node agent starts replica supervisors inside a pass,
        // and they would carry the span for hours as the parent of whatever they do, its id sent
        // in the traceparent of every health probe and registry request.
        Activity.Current = null;
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            await pass(ct);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            outcome = "failed";
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            PassDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new("loop", loop), new("outcome", outcome));
        }
    }

    /// <summary>Times one store operation.</summary>
    public static async Task<T> StoreAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            var result = await call();
            outcome = "ok";
            return result;
        }
        finally
        {
            StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new("operation", operation), new("outcome", outcome));
        }
    }
}
