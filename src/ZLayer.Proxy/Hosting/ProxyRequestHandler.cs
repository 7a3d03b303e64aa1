using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Http;
using ZLayer.Proxy.Routing;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Hosting;

/// <summary>
/// The request entry of an HTTP listener: refuses ambiguous framing, finds the route in the
/// port's current plan, enforces internal exposure, and hands the request to the forwarder.
/// </summary>
internal sealed class ProxyRequestHandler(Func<PortPlan> plan, Exposure exposure, HttpForwarder forwarder)
{
    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.ContainsKey("Transfer-Encoding") && request.Headers.ContainsKey("Content-Length"))
        {
            // Two framings in one request is the classic smuggling shape (RFC 9112 §6.3): refuse and close.
            context.Response.Headers.Connection = "close";
            return ProxyResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "both Content-Length and Transfer-Encoding");
        }

        var route = plan().Http?.Match(request.Host.Host, request.Path.Value ?? "/");
        if (route is null)
        {
            return ProxyResponses.WriteAsync(context, StatusCodes.Status404NotFound, "no route for this host and path");
        }

        if (route.Expose == ExposeMode.Internal && !exposure.IsInternal(context.Connection.LocalIpAddress))
        {
            return ProxyResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "this endpoint is internal");
        }

        return forwarder.ForwardAsync(context, route);
    }
}
