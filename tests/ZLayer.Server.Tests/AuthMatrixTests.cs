using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using ZLayer.Server.Auth;

namespace ZLayer.Server.Tests;

/// <summary>
/// Every route the daemon serves, found by enumerating the endpoints (not a list kept by hand),
/// against every kind of credential: none, a bad signature, expired, revoked, a role too small,
/// the role needed, and the Unix socket.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AuthMatrixTests
{
    /// <summary>One method of one route, with its parameters filled and the role it needs (null: open).</summary>
    private sealed record Route(string Method, string Pattern, string Path, ApiRole? Needs)
    {
        public override string ToString() => $"{Method} {Pattern}";
    }

    [Fact]
    public async Task Every_route_refuses_bad_credentials_and_small_roles_and_lets_the_needed_role_through()
    {
        await using var daemon = await TestDaemon.StartWithEveryRouteAsync();
        var tokens = ApiTokens.For(daemon);
        var routes = Routes(daemon);
        using var tcp = daemon.TcpClient();

        // The enumeration found the daemon's routes, token management and the annotated operator GET among them.
        Assert.True(routes.Count >= 35, $"only {routes.Count} routes: {string.Join(", ", routes)}");
        Assert.Contains(routes, r => r is { Method: "POST", Pattern: "/api/v1/tokens", Needs: ApiRole.Admin });
        Assert.Contains(routes, r => r is { Method: "GET", Pattern: "/api/v1/tokens", Needs: ApiRole.Admin });
        Assert.Contains(routes, r => r is { Method: "GET", Pattern: "/api/v1/replicas/{replica}/exec/session", Needs: ApiRole.Operator });
        Assert.Contains(routes, r => r is { Method: "GET", Pattern: "/health/live", Needs: null });

        var failures = new List<string>();
        foreach (var route in routes)
        {
            if (route.Needs is not { } needs)
            {
                // Open routes stay open, whatever is (not) sent.
                Expect(route, "no token", await StatusAsync(tcp, route, null), s => s is not (401 or 403), failures);
                Expect(route, "expired token", await StatusAsync(tcp, route, tokens.Expired), s => s is not (401 or 403), failures);
                continue;
            }

            await ExpectRefusedAsync(tcp, route, null, "token-missing", failures);
            await ExpectRefusedAsync(tcp, route, tokens.BadSignature, "token-bad-signature", failures);
            await ExpectRefusedAsync(tcp, route, tokens.Expired, "token-expired", failures);
            await ExpectRefusedAsync(tcp, route, tokens.Revoked, "token-revoked", failures);
            await ExpectRefusedAsync(tcp, route, "not-a-jwt", "token-malformed", failures);
            foreach (var smaller in Enum.GetValues<ApiRole>().Where(r => r < needs))
            {
                Expect(route, $"{smaller.Name()} token", await StatusAsync(tcp, route, tokens.For(smaller)), s => s == 403, failures);
            }

            Expect(route, $"{needs.Name()} token", await StatusAsync(tcp, route, tokens.For(needs)), s => s is not (401 or 403), failures);
            Expect(route, "unix socket", await StatusAsync(daemon.Unix, route, null), s => s is not (401 or 403), failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Roles_follow_the_hierarchy_and_the_defaults_for_unannotated_routes()
    {
        await using var daemon = await TestDaemon.StartWithEveryRouteAsync();
        var routes = Routes(daemon).ToDictionary(r => r.ToString(), r => r.Needs);

        // What changes what runs is operator; reading is viewer; the rest (tokens, credentials, removal of images and volumes) admin.
        Assert.Equal(ApiRole.Operator, routes["POST /api/v1/deployments"]);
        Assert.Equal(ApiRole.Operator, routes["DELETE /api/v1/deployments/{name}"]);
        Assert.Equal(ApiRole.Operator, routes["POST /api/v1/deployments/{name}/services/{service}/scale"]);
        Assert.Equal(ApiRole.Operator, routes["POST /api/v1/deployments/{deployment}/services/{service}/restart"]);
        Assert.Equal(ApiRole.Operator, routes["POST /api/v1/deployments/{deployment}/services/{service}/jobs"]);
        Assert.Equal(ApiRole.Operator, routes["POST /api/v1/replicas/{replica}/exec"]);
        Assert.Equal(ApiRole.Operator, routes["POST /api/v1/images/pull"]);
        Assert.Equal(ApiRole.Viewer, routes["GET /api/v1/deployments"]);
        Assert.Equal(ApiRole.Viewer, routes["GET /api/v1/events/stream"]);
        Assert.Equal(ApiRole.Admin, routes["POST /api/v1/registries/login"]);
        Assert.Equal(ApiRole.Admin, routes["DELETE /api/v1/volumes/{name}"]);
        Assert.Equal(ApiRole.Admin, routes["DELETE /api/v1/tokens/{id}"]);
        Assert.Null(routes["GET /health/ready"]);

        Assert.True(ApiRole.Admin.Allows(ApiRole.Operator));
        Assert.True(ApiRole.Operator.Allows(ApiRole.Viewer));
        Assert.False(ApiRole.Operator.Allows(ApiRole.Admin));
        Assert.False(ApiRole.Viewer.Allows(ApiRole.Operator));
    }

    /// <summary>Every method of every route endpoint, its parameters filled with values of the right shape.</summary>
    private static List<Route> Routes(TestDaemon daemon) =>
        [.. daemon.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m =>
                new Route(m, "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'), Fill(e.RoutePattern), RoleRequirement.For(e.Metadata, m))))
            .OrderBy(r => r.Pattern, StringComparer.Ordinal)
            .ThenBy(r => r.Method, StringComparer.Ordinal)];

    private static string Fill(RoutePattern pattern) => "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart { ParameterPolicies: var policies } when policies.Any(p => p.Content == "int") => "1",
        RoutePatternParameterPart => "x1",
        _ => throw new InvalidOperationException($"unexpected route part {part.GetType().Name} in {pattern.RawText}"),
    }))));

    private static async Task ExpectRefusedAsync(HttpClient tcp, Route route, string? token, string reason, List<string> failures)
    {
        using var response = await SendAsync(tcp, route, token);
        var status = (int)response.StatusCode;
        var type = status == 401 ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())?["type"] : null;
        if (status != 401 || type != "urn:zlayer:problem:" + reason || response.Headers.WwwAuthenticate.Count == 0)
        {
            failures.Add($"{route} with {reason}: {status} {type}");
        }
    }

    private static void Expect(Route route, string with, int status, Func<int, bool> ok, List<string> failures)
    {
        if (!ok(status))
        {
            failures.Add($"{route} with {with}: {status}");
        }
    }

    private static async Task<int> StatusAsync(HttpClient http, Route route, string? token)
    {
        using var response = await SendAsync(http, route, token);
        return (int)response.StatusCode;
    }

    /// <summary>
    /// Sends the route's request with an empty JSON object; reads headers only, so that streams
    /// (events, logs) answer their status without being followed.
    /// </summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Route route, string? token)
    {
        using var request = ApiTokens.Request(new HttpMethod(route.Method), route.Path, token);
        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
