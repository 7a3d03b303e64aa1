using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ZLayer.Proxy.Balancing;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;
using ZLayer.Proxy.Tracing;

namespace ZLayer.Proxy.Http;

/// <summary>
/// Forwards one client request to a backend of its route and streams the answer back. Picks a
/// backend by the route's policy; when the connect fails it marks the backend (passive health)
/// and, for an idempotent request, tries another. No backend at all is 503, none reachable 502,
/// no response headers in time 504.
/// </summary>
internal sealed class HttpForwarder(NodeProxyOptions options, ProxyMetrics metrics) : IDisposable
{
    private readonly HttpMessageInvoker invoker = BackendInvoker.Create(options);

    public async Task ForwardAsync(HttpContext context, HttpRoute route, bool secure)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = ProxyTracing.Enabled ? StartSpan(context, route) : null;
        var upgrade = ClientUpgrade.Detect(context);
        var hasBody = upgrade is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
        var retryable = IsIdempotent(context.Request.Method);
        List<BackendState>? tried = null;
        var status = StatusCodes.Status503ServiceUnavailable;
        var message = "no backend available";
        long received = 0, sent = 0;
        try
        {
            for (var attempt = 0; attempt < Math.Max(1, options.MaxAttempts); attempt++)
            {
                var backend = route.Pool.Pick(tried);
                if (backend is null)
                {
                    break;
                }

                backend.Start();
                try
                {
                    var body = hasBody ? new RequestBodyContent(context.Request.Body, options.IdleTimeout, context.RequestAborted) : null;
                    if (body is not null && context.Request.ContentLength is { } length)
                    {
                        body.Headers.ContentLength = length;
                    }

                    using var request = BackendRequestFactory.Create(context, route, backend.Address, upgrade, body, secure, span);
                    // One source for the whole exchange: the response headers deadline first, then
                    // re-armed as the body's idle timeout.
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                    deadline.CancelAfter(options.ResponseHeadersTimeout);
                    HttpResponseMessage response;
                    try
                    {
                        response = await invoker.SendAsync(request, deadline.Token);
                    }
                    catch (HttpRequestException e) when (FindInner<BackendConnectException>(e) is { } connect)
                    {
                        backend.RecordConnectFailure(options.PassiveHealth);
                        (tried ??= []).Add(backend);
                        (status, message) = connect.TimedOut
                            ? (StatusCodes.Status504GatewayTimeout, "backend connect timed out")
                            : (StatusCodes.Status502BadGateway, "backend refused the connection");
                        if (retryable)
                        {
                            continue;
                        }

                        break;
                    }
                    catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
                    {
                        (status, message) = (StatusCodes.Status504GatewayTimeout, "backend did not answer in time");
                        break;
                    }

                    backend.RecordSuccess();
                    deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                    using (response)
                    {
                        status = (int)response.StatusCode;
                        if (upgrade is not null && status == StatusCodes.Status101SwitchingProtocols)
                        {
                            status = upgrade.SuccessStatus;
                            (received, sent) = await UpgradeRelay.RunAsync(context, upgrade, response, options.IdleTimeout);
                        }
                        else
                        {
                            context.Response.StatusCode = status;
                            ResponseHeaderCopier.Copy(response, context.Response);
                            await using var content = await response.Content.ReadAsStreamAsync(context.RequestAborted);
                            sent = await BodyPump.CopyAsync(content, context.Response.Body, options.IdleTimeout, deadline, context.RequestAborted);
                            received = body?.BytesSent ?? 0;
                        }
                    }

                    return;
                }
                finally
                {
                    backend.Finish();
                }
            }

            await ProxyResponses.WriteAsync(context, status, message);
        }
        catch (Exception e) when (FindInner<BadHttpRequestException>(e) is { } bad)
        {
            // The client's own body was malformed (bad chunking, too large): its fault, and the
            // half-sent backend request dies with its connection.
            status = bad.StatusCode;
            await ProxyResponses.WriteAsync(context, status, "malformed request");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException)
        {
            status = context.Response.HasStarted ? status : StatusCodes.Status502BadGateway;
            await ProxyResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "backend failed");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; its backend request was cancelled with it.
        }
        finally
        {
            ProxyTracing.Complete(span, status);
            metrics.RequestCompleted(route.Input, status, Stopwatch.GetElapsedTime(started).TotalSeconds);
            metrics.Bytes(route.Input, received, sent);
        }
    }

    public void Dispose() => invoker.Dispose();

    /// <summary>Two traceparent headers make neither valid (W3C), so only a single one is continued.</summary>
    private static Activity? StartSpan(HttpContext context, HttpRoute route)
    {
        var headers = context.Request.Headers;
        var parent = headers[ProxyTracing.TraceParentHeader];
        var state = headers[ProxyTracing.TraceStateHeader];
        return ProxyTracing.StartRequest(context.Request.Method, route.Input, parent.Count == 1 ? parent[0] : null, state.Count == 0 ? null : state.ToString());
    }

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
        || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    private static T? FindInner<T>(Exception e)
        where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is T found)
            {
                return found;
            }
        }

        return null;
    }
}
