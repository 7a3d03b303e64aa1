using Microsoft.AspNetCore.Routing;

namespace ZLayer.Server;

/// <summary>
/// The routes a node's daemon adds to the built-in ones: in one place so that the daemon and the
/// tests that check every route (the auth matrix) map the same set. Their services (the node agent,
/// job operations, rolling restarts, images, image usage, volumes) must be registered.
/// </summary>
public static class NodeRoutes
{
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static RouteGroupBuilder MapNodeRoutes(this RouteGroupBuilder routes) =>
        routes.MapLogRoutes().MapExecRoutes().MapExecSessionRoutes().MapRestartRoutes().MapJobRoutes().MapImageRoutes().MapVolumeRoutes().MapStatsRoutes();
}
