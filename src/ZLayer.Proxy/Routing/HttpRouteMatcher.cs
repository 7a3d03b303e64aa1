namespace ZLayer.Proxy.Routing;

/// <summary>
/// Finds the route for a request: routes for the exact host first, then the most specific
/// <c>*.</c> wildcard, then routes for any host; within each, the longest path prefix wins.
/// Built once per route table, then read concurrently without locks.
/// </summary>
public sealed class HttpRouteMatcher
{
    private readonly Dictionary<string, HttpRoute[]> exact;
    private readonly (string Suffix, HttpRoute[] Routes)[] wildcards;
    private readonly HttpRoute[] anyHost;

    public HttpRouteMatcher(IEnumerable<HttpRoute> routes)
    {
        var all = routes.ToList();
        static HttpRoute[] ByPrefix(IEnumerable<HttpRoute> rs) => [.. rs.OrderByDescending(r => r.PathPrefix.Length)];

        exact = all.Where(r => r.Host is not null && !r.Host.StartsWith("*.", StringComparison.Ordinal))
            .GroupBy(r => r.Host!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, ByPrefix, StringComparer.OrdinalIgnoreCase);
        wildcards = [.. all.Where(r => r.Host is not null && r.Host.StartsWith("*.", StringComparison.Ordinal))
            .GroupBy(r => r.Host![1..], StringComparer.OrdinalIgnoreCase)
            .Select(g => (g.Key, ByPrefix(g)))
            .OrderByDescending(w => w.Key.Length)];
        anyHost = ByPrefix(all.Where(r => r.Host is null));
        Routes = all;
    }

    public IReadOnlyList<HttpRoute> Routes { get; }

    public HttpRoute? Match(string host, string path)
    {
        if (exact.Count > 0 && exact.TryGetValue(host, out var hostRoutes) && ByPath(hostRoutes, path) is { } exactRoute)
        {
            return exactRoute;
        }

        foreach (var (suffix, routes) in wildcards)
        {
            // "*.example.com" matches a.example.com and a.b.example.com, never example.com itself.
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && ByPath(routes, path) is { } wildcardRoute)
            {
                return wildcardRoute;
            }
        }

        return ByPath(anyHost, path);
    }

    private static HttpRoute? ByPath(HttpRoute[] routes, string path)
    {
        foreach (var route in routes)
        {
            if (route.MatchesPath(path))
            {
                return route;
            }
        }

        return null;
    }
}
