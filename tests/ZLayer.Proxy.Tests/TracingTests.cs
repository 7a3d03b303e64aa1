using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Tests.Support;
using ZLayer.Proxy.Tracing;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

/// <summary>Tests that attach a tracer to the proxy's source, which is process-wide: they must not run beside other proxy tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "proxy tracing";
}

/// <summary>
/// W3C trace context through the proxy, on the fast path (a plain GET) and on Kestrel's path (a
/// chunked upload): untouched without a tracer; with one, the backend's traceparent names the
/// proxy's span, which continues the client's trace or starts a new one.
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class TracingTests
{
    private const string ClientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpanId = "00f067aa0ba902b7";
    private const string ClientParent = $"00-{ClientTraceId}-{ClientSpanId}-01";

    public static TheoryData<bool> Paths => new() { true, false };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Without_a_tracer_the_clients_trace_headers_reach_the_backend_untouched(bool fastPath)
    {
        Assert.False(ProxyTracing.Enabled);
        var (parent, state, _) = await ForwardAsync(fastPath, ClientParent, "vendor=abc");

        Assert.Equal(ClientParent, parent);
        Assert.Equal("vendor=abc", state);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task With_a_tracer_the_backend_sees_the_proxy_span_continuing_the_clients_trace(bool fastPath)
    {
        var spans = new ConcurrentQueue<Activity>();
        using var tracer = Tracer(spans);

        var (parent, state, status) = await ForwardAsync(fastPath, ClientParent, "vendor=abc");

        var span = Stopped(spans);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(ClientTraceId, span.TraceId.ToHexString());
        Assert.Equal(ClientSpanId, span.ParentSpanId.ToHexString());
        Assert.Equal($"00-{ClientTraceId}-{span.SpanId.ToHexString()}-01", parent);
        Assert.Equal("vendor=abc", state);
        Assert.Equal("demo", span.GetTagItem("zlayer.deployment"));
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task With_a_tracer_a_request_without_trace_context_starts_a_trace(bool fastPath)
    {
        var spans = new ConcurrentQueue<Activity>();
        using var tracer = Tracer(spans);

        var (parent, _, _) = await ForwardAsync(fastPath, null, null);

        var span = Stopped(spans);
        Assert.Equal(default, span.ParentSpanId);
        Assert.Equal(span.Id, parent);
    }

    /// <summary>The one span of the request: it ends just after the client has its answer, so it is waited for.</summary>
    private static Activity Stopped(ConcurrentQueue<Activity> spans)
    {
        Assert.True(SpinWait.SpinUntil(() => !spans.IsEmpty, TimeSpan.FromSeconds(10)), "the proxy's span never ended");
        return Assert.Single(spans);
    }

    private static ActivityListener Tracer(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ProxyTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Sends one request through a proxy to a backend that reports the trace headers it got.</summary>
    private static async Task<(string? Parent, string? State, HttpStatusCode Status)> ForwardAsync(bool fastPath, string? traceParent, string? traceState)
    {
        string? seenParent = null, seenState = null;
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            seenParent = context.Request.Headers["traceparent"].ToString() is { Length: > 0 } p ? p : null;
            seenState = context.Request.Headers["tracestate"].ToString() is { Length: > 0 } s ? s : null;
            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.WriteAsync("ok");
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("web", Endpoint(port), backend.Address()));

        // No propagator of its own, so the only trace headers are the ones set here.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null });
        using var request = new HttpRequestMessage(fastPath ? HttpMethod.Get : HttpMethod.Post, $"http://127.0.0.1:{port}/");
        if (!fastPath)
        {
            // No length: sent chunked, which the fast path hands to Kestrel.
            request.Content = new StreamContent(new MemoryStream("body"u8.ToArray()));
        }

        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }

        if (traceState is not null)
        {
            request.Headers.TryAddWithoutValidation("tracestate", traceState);
        }

        using var response = await client.SendAsync(request);
        return (seenParent, seenState, response.StatusCode);
    }
}
