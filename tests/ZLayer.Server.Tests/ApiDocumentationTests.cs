using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace ZLayer.Server.Tests;

/// <summary>The OpenAPI document and Swagger UI, checked against what a real daemon maps.</summary>
public sealed partial class ApiDocumentationTests
{
    /// <summary>The endpoints that serve the description itself and the dashboard's files; everything else must be in it.</summary>
    private static readonly string[] DocumentationRoutes =
        [ApiDocumentation.DocumentPath, ApiDocumentation.UiPath, ApiDocumentation.UiPath + "/{**asset}", ZLayer.Server.Dashboard.DashboardRoutes.Root + "/{**path}"];

    [Fact]
    public async Task Every_route_the_daemon_maps_is_in_the_document_with_its_methods()
    {
        await using var daemon = await DaemonApi.StartAsync();
        var document = await LoadAsync(daemon.Http);
        var endpoints = daemon.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !DocumentationRoutes.Contains(e.RoutePattern.RawText))
            .ToList();

        // The daemon's own routes (logs, exec, jobs, images, ...) are there, not only the built-in ones.
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/v1/replicas/{replica}/exec/session");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/v1/images/{**reference}");
        var missing = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = OpenApiPath(endpoint.RoutePattern.RawText!);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            Assert.NotEmpty(methods);
            foreach (var method in methods)
            {
                var item = document.Paths.TryGetValue(path, out var p) ? p : null;
                if (item?.Operations is not { } operations || !operations.ContainsKey(new HttpMethod(method)))
                {
                    missing.Add($"{method} {path}");
                }
            }
        }

        Assert.Empty(missing);
        Assert.True(endpoints.Count > 30, $"only {endpoints.Count} routes: the daemon's routes were not enumerated");
    }

    [Fact]
    public async Task Every_path_the_cli_builds_is_a_documented_path()
    {
        await using var daemon = await DaemonApi.StartAsync();
        var document = await LoadAsync(daemon.Http);
        var templates = Templates(document);
        var paths = ClientPaths().ToList();
        Assert.Contains(ApiPaths.Socket, paths);
        var undocumented = paths.Where(p => !templates.Any(t => t.IsMatch(p))).ToList();
        Assert.Empty(undocumented);
    }

    [Fact]
    public async Task Every_path_the_dashboard_requests_is_a_documented_path()
    {
        await using var daemon = await DaemonApi.StartAsync();
        var document = await LoadAsync(daemon.Http);
        var templates = Templates(document);
        var segments = document.Paths.Keys
            .Where(k => k.StartsWith(ApiPaths.V1 + "/", StringComparison.Ordinal))
            .Select(k => k[(ApiPaths.V1.Length + 1)..].Split('/')[0])
            .ToHashSet(StringComparer.Ordinal);

        // The page calls the API with paths relative to /api/v1/ (api.js); every string or template
        // literal that starts like an API path is one of those calls.
        var scripts = Path.Combine(RepositoryRoot(), "src", "ZLayer.Server", "Dashboard", "wwwroot", "js");
        var requested = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(scripts, "*.js"))
        {
            foreach (Match literal in ScriptLiteral().Matches(await File.ReadAllTextAsync(file)))
            {
                var text = TemplateHole().Replace(literal.Groups["text"].Value, "x").Split('?')[0];
                if (text.Length > 0 && !text.Contains(' ', StringComparison.Ordinal) && segments.Contains(text.Split('/')[0]))
                {
                    requested.Add($"{ApiPaths.V1}/{text}");
                }
            }
        }

        // The scan finds the calls it is meant to: a broken scan would pass by finding none.
        Assert.Contains($"{ApiPaths.V1}/deployments/x/services/x/scale", requested);
        Assert.Contains($"{ApiPaths.V1}/replicas/x/logs", requested);
        var undocumented = requested.Where(p => !templates.Any(t => t.IsMatch(p))).ToList();
        Assert.Empty(undocumented);
    }

    [Fact]
    public void The_cli_builds_paths_only_through_ApiPaths()
    {
        // A path written out in a command, or an ApiPaths value with a segment added to it, would
        // escape the check above; only a query string may follow an ApiPaths value.
        var offenders = new List<string>();
        var cli = Path.Combine(RepositoryRoot(), "src", "ZLayer.Cli");
        foreach (var file in Directory.EnumerateFiles(cli, "*.cs", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (PathLiteral().IsMatch(lines[i]) || ExtendedApiPath().IsMatch(lines[i]))
                {
                    offenders.Add($"{Path.GetRelativePath(cli, file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.Empty(offenders);
    }

    [Fact]
    public async Task The_document_is_valid_OpenAPI_3_and_describes_responses()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var response = await daemon.Http.GetAsync(ApiDocumentation.DocumentPath.TrimStart('/'));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Matches("^\\s*\\{\\s*\"openapi\":\\s*\"3\\.", text);
        var read = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        var document = read.Document!;
        Assert.Equal("ZLayer API", document.Info.Title);

        var list = document.Paths["/api/v1/deployments"].Operations![HttpMethod.Get];
        Assert.False(string.IsNullOrEmpty(list.Summary));
        Assert.Contains("200", list.Responses!.Keys);
        var deploy = document.Paths["/api/v1/deployments"].Operations![HttpMethod.Post];
        Assert.Contains(ProblemResults.ContentType, deploy.Responses!["422"].Content!.Keys);
        Assert.Equal(["application/json", "application/yaml"], deploy.RequestBody!.Content!.Keys.Order());
        Assert.Contains("spec", deploy.RequestBody.Content["application/json"].Schema!.Properties?.Keys ?? (IEnumerable<string>)[]);
        var events = document.Paths["/api/v1/events"].Operations![HttpMethod.Get];
        Assert.Contains("text/event-stream", events.Responses!["200"].Content!.Keys);
        Assert.Contains(events.Parameters!, p => p.Name == "type");
    }

    [Fact]
    public async Task Swagger_UI_is_served_with_its_assets_from_the_package()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var page = await daemon.Http.GetAsync("swagger/index.html");
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("https://", html);

        // Every script and stylesheet the page names loads from this server, none from elsewhere.
        var assets = AssetReference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.NotEmpty(assets);
        foreach (var asset in assets)
        {
            Assert.DoesNotContain("//", asset);
            using var loaded = await daemon.Http.GetAsync(new Uri(new Uri(daemon.BaseAddress, "swagger/index.html"), asset));
            Assert.True(loaded.IsSuccessStatusCode, $"{asset}: {(int)loaded.StatusCode}");
            Assert.NotEmpty(await loaded.Content.ReadAsByteArrayAsync());
        }

        // The initializer points the UI at this server's document.
        using var init = await daemon.Http.GetAsync("swagger/index.js");
        Assert.Contains(ApiDocumentation.DocumentPath, await init.Content.ReadAsStringAsync());

        // The bare path leads to the page.
        using var bare = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = daemon.BaseAddress }.GetAsync("swagger");
        Assert.True((int)bare.StatusCode is >= 300 and < 400, $"GET /swagger answered {(int)bare.StatusCode}");
    }

    [Fact]
    public async Task The_documentation_routes_allow_anonymous_access()
    {
        await using var daemon = await TestDaemon.StartAsync();
        _ = await daemon.Http.GetAsync("swagger/index.html");
        var documentation = daemon.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => DocumentationRoutes.Contains(e.RoutePattern.RawText))
            .ToList();
        Assert.Equal(DocumentationRoutes.Length, documentation.Count);
        Assert.All(documentation, e => Assert.NotNull(e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>()));
    }

    /// <summary>The route template as OpenAPI writes it: no constraints, no catch-all stars.</summary>
    /// <summary>The document's paths as patterns a concrete path matches (a parameter stands for one segment).</summary>
    private static List<Regex> Templates(OpenApiDocument document) =>
        [.. document.Paths.Keys.Select(k => new Regex("^" + Regex.Replace(Regex.Escape(k), @"\\\{[^}]+}", "[^/]+") + "$"))];

    private static string OpenApiPath(string template) => RouteParameter().Replace(template, "{${name}}");

    private static async Task<OpenApiDocument> LoadAsync(HttpClient http)
    {
        var text = await http.GetStringAsync(ApiDocumentation.DocumentPath.TrimStart('/'));
        var read = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());
        return read.Document ?? throw new InvalidOperationException("the document did not parse");
    }

    /// <summary>Every ApiPaths constant and every path its methods build (with sample names).</summary>
    private static IEnumerable<string> ClientPaths()
    {
        foreach (var field in typeof(ApiPaths).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            var value = (string)field.GetRawConstantValue()!;
            if (value != ApiPaths.V1)
            {
                yield return value;
            }
        }

        foreach (var method in typeof(ApiPaths).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(string)))
        {
            var args = method.GetParameters().Select(p => p.ParameterType == typeof(int) ? (object)3 : "name/with.odd chars").ToArray();
            yield return (string)method.Invoke(null, args)!;
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ZLayer.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("the repository root (ZLayer.slnx) is not above the test binaries");
    }

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("\"/?(api/|health/)")]
    private static partial Regex PathLiteral();

    [GeneratedRegex(@"ApiPaths\.\w+(\([^)]*\))?(\}/| \+ ""/)")]
    private static partial Regex ExtendedApiPath();

    [GeneratedRegex(@"'(?<text>[^'\n]*)'|`(?<text>[^`]*)`|""(?<text>[^""\n]*)""")]
    private static partial Regex ScriptLiteral();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex TemplateHole();

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"")]
    private static partial Regex AssetReference();
}
