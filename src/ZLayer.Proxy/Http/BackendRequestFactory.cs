using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using ZLayer.Proxy.Routing;
using ZLayer.Proxy.Tracing;

namespace ZLayer.Proxy.Http;

/// <summary>
/// The request the backend receives: same method, target and end-to-end headers as the client's,
/// hop-by-hop headers removed, forwarding headers added, the original Host kept, and the body
/// streamed (never read ahead). A traced request's traceparent names the proxy's span instead of the client's.
/// </summary>
internal static class BackendRequestFactory
{
    public static HttpRequestMessage Create(HttpContext context, HttpRoute route, BackendAddress backend, ClientUpgrade? upgrade, RequestBodyContent? body, bool secure, Activity? span = null)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), new Uri(backend.Origin + Target(context, route)))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };

        // Kestrel reduces a Connection value holding keep-alive or close to that token alone, so
        // header names listed beside those two never reach this point and cannot be removed.
        var named = request.Headers.Connection.Count > 0 ? HopByHopHeaders.NamedBy(request.Headers.Connection) : null;
        foreach (var (name, values) in request.Headers)
        {
            if (name.Length == 0 || name[0] == ':' || HopByHopHeaders.Skip(name, named) || ForwardedHeaders.IsOwn(name)
                || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var added = values.Count == 1
                ? message.Headers.TryAddWithoutValidation(name, values[0])
                : message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            if (!added && body is not null)
            {
                body.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // The one hop-by-hop exchange that must cross: the backend has to agree to the upgrade itself.
        upgrade?.AddBackendHeaders(message, request);

        ForwardedHeaders.Add(context, message.Headers, secure);
        if (span is not null)
        {
            message.Headers.Remove(ProxyTracing.TraceParentHeader);
            message.Headers.TryAddWithoutValidation(ProxyTracing.TraceParentHeader, span.Id);
        }

        return message;
    }

    /// <summary>The path and query to ask the backend for: the client's raw target, or rebuilt when the prefix is stripped.</summary>
    private static string Target(HttpContext context, HttpRoute route)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!route.StripPrefix && raw is { Length: > 0 } && raw[0] == '/')
        {
            return raw;
        }

        var path = route.BackendPath(context.Request.Path.Value ?? "/");
        return new PathString(path).ToUriComponent() + context.Request.QueryString.ToUriComponent();
    }
}
