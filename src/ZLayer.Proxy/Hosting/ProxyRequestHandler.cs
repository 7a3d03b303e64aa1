using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Http;
using ZLayer.Proxy.Routing;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Hosting;

/// <summary>
/// The request entry of an HTTP listener: finds the route in the port's current plan, enforces
/// internal exposure, and hands the request to the forwarder. Framing errors never get here:
/// Kestrel answers them itself.
/// </summary>
internal sealed class ProxyRequestHandler(Func<PortPlan> plan, Exposure exposure, HttpForwarder forwarder)
{
    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var current = plan();
        var route = current.Http?.Match(request.Host.Host, request.Path.Value ?? "/");
        if (route is null)
        {
            return ProxyResponses.WriteAsync(context, StatusCodes.Status404NotFound, "no route for this host and path");
        }

        if (route.Expose == ExposeMode.Internal && !exposure.IsInternal(context.Connection.LocalIpAddress))
        {
            return ProxyResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "this endpoint is internal");
        }

        return forwarder.ForwardAsync(context, route, current.Kind == ListenerKind.Https);
    }
}
