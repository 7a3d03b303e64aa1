using ZLayer.Proxy.Balancing;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Routing;

/// <summary>
/// One host/path route of an HTTP listener. <see cref="PathPrefix"/> is normalised: no trailing
/// slash, and empty for "all paths".
/// </summary>
public sealed class HttpRoute(RouteInput input, string? host, string pathPrefix, BackendPool pool)
{
    public RouteInput Input { get; } = input;

    public string? Host { get; } = host;

    public string PathPrefix { get; } = pathPrefix;

    public bool StripPrefix => Input.Endpoint.StripPrefix == true && PathPrefix.Length > 0;

    public ExposeMode Expose => Input.Endpoint.Expose;

    public BackendPool Pool { get; } = pool;

    /// <summary>Whether the prefix matches on a segment boundary: /api matches /api and /api/x, not /apix.</summary>
    public bool MatchesPath(string path) =>
        PathPrefix.Length == 0
        || (path.StartsWith(PathPrefix, StringComparison.Ordinal) && (path.Length == PathPrefix.Length || path[PathPrefix.Length] == '/'));

    /// <summary>The path the backend sees: unchanged, or without the prefix when the endpoint strips it.</summary>
    public string BackendPath(string path)
    {
        if (!StripPrefix)
        {
            return path;
        }

        var rest = path[PathPrefix.Length..];
        return rest.Length == 0 ? "/" : rest;
    }
}
