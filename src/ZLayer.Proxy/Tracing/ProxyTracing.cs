using System.Diagnostics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Tracing;

/// <summary>
/// The proxy's request spans. Only when a tracer listens is a span started: it continues the
/// client's W3C trace when the request carries a valid traceparent, else it starts one, and its
/// id becomes the traceparent the backend sees. With nobody listening this is one flag check
/// and the client's trace headers pass to the backend untouched.
/// </summary>
public static class ProxyTracing
{
    public const string SourceName = "ZLayer.Proxy";

    public const string TraceParentHeader = "traceparent";

    public const string TraceStateHeader = "tracestate";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Whether a request span would be started; checked first so the untraced path pays nothing more.</summary>
    public static bool Enabled => Source.HasListeners();

    /// <summary>A span for one proxied request, or null when nobody traces it (no listener, or sampled out).</summary>
    internal static Activity? StartRequest(string method, RouteInput route, string? traceParent, string? traceState)
    {
        ActivityContext parent = default;
        if (traceParent is null || !ActivityContext.TryParse(traceParent, traceState, isRemote: true, out parent))
        {
            // A new trace: whatever activity the host has running is not the client's.
            Activity.Current = null;
        }

        var span = Source.StartActivity("proxy " + method, ActivityKind.Server, parent);
        if (span is null)
        {
            return null;
        }

        span.SetTag("http.request.method", method);
        span.SetTag("zlayer.deployment", route.Deployment);
        span.SetTag("zlayer.service", route.Service);
        span.SetTag("zlayer.endpoint", route.Endpoint.Name);
        return span;
    }

    /// <summary>Records the answer's status on the span; 5xx marks it failed (the proxy or the backend could not serve).</summary>
    internal static void Complete(Activity? span, int status)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }
    }
}
