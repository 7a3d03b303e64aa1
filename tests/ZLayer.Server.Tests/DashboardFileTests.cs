using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ZLayer.Server.Tests;

/// <summary>The dashboard's files as the daemon serves them from the binary at /ui/.</summary>
public sealed partial class DashboardFileTests
{
    [Fact]
    public async Task Ui_redirects_to_ui_slash_which_serves_the_page_locked_to_its_own_origin()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = daemon.BaseAddress };
        using var redirect = await noRedirects.GetAsync("ui");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/ui/", redirect.Headers.Location?.OriginalString);

        using var page = await daemon.Http.GetAsync("ui/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_file_the_page_and_its_modules_load_is_served_and_none_comes_from_elsewhere()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var html = await daemon.Http.GetStringAsync("ui/");
        var pending = new Queue<string>(SourceAttribute().Matches(html).Select(m => m.Groups["path"].Value).Where(p => !p.StartsWith("data:", StringComparison.Ordinal)));
        Assert.Contains("js/app.js", pending);
        Assert.Contains("style.css", pending);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var path))
        {
            Assert.DoesNotContain("//", path);
            if (!seen.Add(path))
            {
                continue;
            }

            using var response = await daemon.Http.GetAsync("ui/" + path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            if (path.EndsWith(".js", StringComparison.Ordinal))
            {
                Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
                var directory = path[..(path.LastIndexOf('/') + 1)];
                foreach (Match import in ModuleImport().Matches(await response.Content.ReadAsStringAsync()))
                {
                    pending.Enqueue(directory + import.Groups["path"].Value[2..]);
                }
            }
        }

        Assert.True(seen.Count > 5, $"only {string.Join(", ", seen)} were loaded");
    }

    [Fact]
    public async Task An_unchanged_file_is_answered_304_and_an_unknown_one_404_as_a_problem()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var first = await daemon.Http.GetAsync("ui/style.css");
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("no ETag");
        using var again = new HttpRequestMessage(HttpMethod.Get, "ui/style.css");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await daemon.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await daemon.Http.GetAsync("ui/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(ProblemResults.ContentType, missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no file 'nope.js'", (string?)(await DeploymentApiTests.JsonAsync(missing))["detail"]);
    }

    [Fact]
    public async Task Dashboard_routes_are_anonymous_so_authentication_never_hides_the_sign_in_page()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var endpoints = daemon.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/ui", StringComparison.Ordinal) == true)
            .ToList();
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.NotNull(e.Metadata.GetMetadata<IAllowAnonymous>()));
    }

    [GeneratedRegex("""(?:src|href)="(?<path>[^"#]+)"(?![^<]*rel="icon")""")]
    private static partial Regex SourceAttribute();

    [GeneratedRegex("""from '(?<path>\./[^']+)'""")]
    private static partial Regex ModuleImport();
}
