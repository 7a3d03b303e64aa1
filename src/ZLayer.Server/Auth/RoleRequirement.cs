using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ZLayer.Server.Auth;

/// <summary>Endpoint metadata: the least role a caller needs for this route.</summary>
public sealed record RequiredRoleMetadata(ApiRole Role);

/// <summary>
/// Which role a request needs. The contract for everyone who adds routes or middleware:
/// <list type="bullet">
/// <item>a route that carries <see cref="IAllowAnonymous"/> (<c>.AllowAnonymous()</c>) is open to
/// all: health probes, the dashboard's files, the OpenAPI document;</item>
/// <item>a route annotated <c>.RequireRole(ApiRole.X)</c> needs X or a higher role;</item>
/// <item>any other route needs viewer for GET and HEAD, admin for every other method, so a route
/// added without a thought is readable by viewers and changeable by admins only (a GET that
/// changes something, such as the exec WebSocket, must be annotated);</item>
/// <item>a request that matches no route is open outside <c>/api/</c> (static files served by
/// middleware, their 404s) and needs viewer under it, so unknown API paths give 401, not 404,
/// to callers without a token.</item>
/// </list>
/// </summary>
public static class RoleRequirement
{
    /// <summary>Marks a route as needing <paramref name="role"/> (or a higher one).</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, ApiRole role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRoleMetadata(role));

    /// <summary>The role <paramref name="context"/>'s request needs; null when it is open to anyone.</summary>
    public static ApiRole? For(HttpContext context)
    {
        var method = context.Request.Method;
        if (context.GetEndpoint() is not { } endpoint)
        {
            return context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? ApiRole.Viewer : null;
        }

        return For(endpoint.Metadata, method);
    }

    /// <summary>The role a route with <paramref name="metadata"/> needs for <paramref name="method"/>; null when open.</summary>
    public static ApiRole? For(EndpointMetadataCollection metadata, string method)
    {
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return null;
        }

        if (metadata.GetMetadata<RequiredRoleMetadata>() is { } required)
        {
            return required.Role;
        }

        return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? ApiRole.Viewer : ApiRole.Admin;
    }
}
