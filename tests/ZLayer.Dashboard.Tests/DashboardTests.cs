using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ZLayer.Dashboard.Tests;

/// <summary>
/// The dashboard at /ui driven in Chromium against a real daemon: sign in, watch a deployment,
/// scale it, follow its logs and events, on a laptop and a phone screen, by mouse and keyboard.
/// Screenshots go to TestResults/dashboard/.
/// </summary>
public sealed class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private async Task<DashboardPage> SignedInAsync(string role, BrowserNewContextOptions? options = null)
    {
        var dashboard = new DashboardPage(await fixture.NewPageAsync(options), fixture.BaseUrl);
        await dashboard.OpenAsync();
        await dashboard.SignInAsync(await fixture.TokenAsync(role));
        await dashboard.LiveAsync();
        return dashboard;
    }

    [Fact]
    public async Task Operator_scales_a_service_and_sees_the_new_replica_its_logs_and_the_event_without_reloading()
    {
        var dashboard = new DashboardPage(await fixture.NewPageAsync(), fixture.BaseUrl);
        var page = dashboard.Page;
        await dashboard.OpenAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deployments" })).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = DashboardFixture.Screenshot("01-sign-in") });

        await dashboard.SignInAsync(await fixture.TokenAsync("admin"));
        await dashboard.LiveAsync();
        await Expect(dashboard.Deployment("demo")).ToBeVisibleAsync();
        var before = await dashboard.SettledReplicasAsync("demo", "talker");

        // A marker on the window proves the page is the same one later: nothing reloaded it.
        await page.EvaluateAsync("() => { window.zlayerTestMarker = 'same page'; }");
        await dashboard.ScaleUp("talker").ClickAsync();

        var after = (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Expect(dashboard.Desired("demo", "talker")).ToHaveTextAsync(after, DashboardPage.Patient);
        await Expect(dashboard.Running("demo", "talker")).ToHaveTextAsync(after, DashboardPage.Patient);
        var replica = $"demo.talker.{after}";
        await Expect(dashboard.ReplicaRow(replica).Locator(".state")).ToHaveTextAsync("running", DashboardPage.Patient);

        // The service's log panel picks up the new replica's lines as they are written.
        await page.GetByRole(AriaRole.Button, new() { Name = "Show logs of talker", Exact = true }).ClickAsync();
        await Expect(dashboard.LogLines).ToContainTextAsync($"from {replica}", new() { Timeout = DashboardPage.Patient.Timeout });
        await Expect(dashboard.Events.Locator("li[data-type='service.scaled']").First).ToContainTextAsync($"scaled to {after}", new() { Timeout = DashboardPage.Patient.Timeout });

        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.zlayerTestMarker"));
        await page.ScreenshotAsync(new() { Path = DashboardFixture.Screenshot("02-scaled-with-logs"), FullPage = true });
    }

    [Fact]
    public async Task Scale_button_is_reached_with_Tab_and_pressed_with_Enter()
    {
        var dashboard = await SignedInAsync("operator");
        var page = dashboard.Page;
        var before = await dashboard.SettledReplicasAsync("demo", "talker");

        // From the top of the page, as a keyboard user starts.
        await page.EvaluateAsync("() => document.activeElement?.blur()");
        var reached = false;
        for (var presses = 0; presses < 40 && !reached; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('aria-label')") == "Scale talker up";
        }

        Assert.True(reached, "Tab never reached the 'Scale talker up' button");
        await page.ScreenshotAsync(new() { Path = DashboardFixture.Screenshot("03-keyboard-focus") });
        await page.Keyboard.PressAsync("Enter");
        var after = (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Expect(dashboard.Desired("demo", "talker")).ToHaveTextAsync(after, DashboardPage.Patient);

        // Focus stays on the button, so pressing Enter again scales again.
        Assert.Equal("Scale talker up", await page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('aria-label')"));
    }

    [Fact]
    public async Task Phone_sized_screen_shows_everything_without_horizontal_scrolling()
    {
        var phone = new BrowserNewContextOptions
        {
            ViewportSize = new() { Width = 360, Height = 780 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
        };
        var dashboard = new DashboardPage(await fixture.NewPageAsync(phone), fixture.BaseUrl);
        await dashboard.OpenAsync();
        await AssertNoHorizontalScrollAsync(dashboard.Page, "sign-in");
        await dashboard.SignInAsync(await fixture.TokenAsync("admin"));
        await dashboard.LiveAsync();
        await Expect(dashboard.Running("demo", "web")).ToHaveTextAsync("1", DashboardPage.Patient);
        await Expect(dashboard.Page.Locator("#proxy-rows tr").Filter(new() { HasText = "demo/web" })).ToBeVisibleAsync(new() { Timeout = DashboardPage.Patient.Timeout });
        await Expect(dashboard.Page.Locator("#node-list article")).ToBeVisibleAsync();
        await AssertNoHorizontalScrollAsync(dashboard.Page, "dashboard");
        await dashboard.Page.ScreenshotAsync(new() { Path = DashboardFixture.Screenshot("04-phone"), FullPage = true });
    }

    [Fact]
    public async Task Every_control_has_an_accessible_name()
    {
        var dashboard = new DashboardPage(await fixture.NewPageAsync(), fixture.BaseUrl);
        await dashboard.OpenAsync();
        Assert.Empty(await AccessibilityTree.NamelessControlsAsync(dashboard.Page));

        await dashboard.SignInAsync(await fixture.TokenAsync("admin"));
        await dashboard.LiveAsync();
        await Expect(dashboard.ServiceRow("demo", "talker")).ToBeVisibleAsync();
        await Expect(dashboard.Page.Locator("#replica-rows tr").First).ToBeVisibleAsync();
        Assert.Empty(await AccessibilityTree.NamelessControlsAsync(dashboard.Page));
    }

    [Fact]
    public async Task Restart_rolls_the_service_and_says_so_when_its_replicas_are_healthy_again()
    {
        var dashboard = await SignedInAsync("operator");
        var page = dashboard.Page;
        await dashboard.SettledReplicasAsync("demo", "web");
        var started = await dashboard.ReplicaRow("demo.web.1").Locator(".started time").GetAttributeAsync("datetime");

        await dashboard.Restart("web").ClickAsync();

        await Expect(page.Locator("#notice")).ToContainTextAsync("web: 1 replica restarted", new() { Timeout = DashboardPage.Patient.Timeout });
        await Expect(dashboard.Events.Locator("li[data-type='service.restarted']").First).ToContainTextAsync("demo / web", new() { Timeout = DashboardPage.Patient.Timeout });
        await Expect(dashboard.ReplicaRow("demo.web.1").Locator(".started time")).Not.ToHaveAttributeAsync("datetime", started!, new() { Timeout = DashboardPage.Patient.Timeout });
        await Expect(dashboard.Restart("web")).ToHaveTextAsync("Restart");
    }

    [Fact]
    public async Task Across_a_daemon_restart_the_page_reconnects_and_the_log_panel_misses_and_repeats_no_line()
    {
        var dashboard = await SignedInAsync("admin");
        var page = dashboard.Page;
        await dashboard.SettledReplicasAsync("demo", "talker");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show logs of replica demo.talker.1", Exact = true }).ClickAsync();
        await Expect(dashboard.LogLines).ToContainTextAsync("from demo.talker.1", new() { Timeout = DashboardPage.Patient.Timeout });
        var before = TickNumbers(await dashboard.LogLines.Locator(".text").AllInnerTextsAsync()).Max();

        // Replicas outlive their daemon and keep writing; the page must notice the drop.
        Assert.Equal(0, await fixture.Daemon.StopAsync());
        await Expect(page.Locator("#connection")).ToContainTextAsync("Reconnecting", new() { Timeout = DashboardPage.Patient.Timeout });
        await fixture.Daemon.StartAsync();
        await dashboard.LiveAsync();

        // Lines written while the daemon was down come too, once each.
        await page.WaitForFunctionAsync(
            "after => [...document.querySelectorAll('#log-lines .text')].some(t => Number(/^tick (\\d+) /.exec(t.textContent)?.[1]) > after)",
            before + 5,
            new() { Timeout = (float)DashboardFixture.Converge.TotalMilliseconds });
        var ticks = TickNumbers(await dashboard.LogLines.Locator(".text").AllInnerTextsAsync());
        Assert.Equal(Enumerable.Range(ticks[0], ticks.Count), ticks);
        await page.ScreenshotAsync(new() { Path = DashboardFixture.Screenshot("07-after-daemon-restart") });
    }

    [Fact]
    public async Task Viewer_sees_the_deployment_and_its_logs_but_no_scale_or_restart()
    {
        var dashboard = await SignedInAsync("viewer");
        await Expect(dashboard.ServiceRow("demo", "talker")).ToBeVisibleAsync();
        await Expect(dashboard.Page.GetByText("Signed in as viewer")).ToBeVisibleAsync();
        await Expect(dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Show logs of talker", Exact = true })).ToBeVisibleAsync();
        await Expect(dashboard.ScaleUp("talker")).ToHaveCountAsync(0);
        await Expect(dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Scale talker down", Exact = true })).ToHaveCountAsync(0);
        await Expect(dashboard.Restart("talker")).ToHaveCountAsync(0);
        await dashboard.Page.ScreenshotAsync(new() { Path = DashboardFixture.Screenshot("05-viewer") });
    }

    [Fact]
    public async Task A_wrong_token_is_refused_at_sign_in_with_the_daemons_reason()
    {
        var dashboard = new DashboardPage(await fixture.NewPageAsync(), fixture.BaseUrl);
        var page = dashboard.Page;
        await dashboard.OpenAsync();
        await page.GetByLabel("API token").FillAsync("not-a-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not signed in: the daemon refused the token");
        await Expect(page.GetByLabel("API token")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deployments" })).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('zlayer.dashboard.token')"));
    }

    [Fact]
    public async Task A_token_revoked_while_signed_in_returns_to_sign_in_with_the_daemons_reason()
    {
        var (token, id) = await fixture.IssueTokenAsync("operator");
        var dashboard = new DashboardPage(await fixture.NewPageAsync(), fixture.BaseUrl);
        var page = dashboard.Page;
        await dashboard.OpenAsync();
        await dashboard.SignInAsync(token);
        await dashboard.LiveAsync();
        await Expect(dashboard.ServiceRow("demo", "talker")).ToBeVisibleAsync();

        var revoke = await fixture.Daemon.RunAsync("token", "revoke", id);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);

        // The next request the page makes on its own (the proxy routes are read every 5 s)
        // carries the revoked token; nothing needs clicking.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync(new() { Timeout = DashboardPage.Patient.Timeout });
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Signed out: the daemon refused the token: revoked");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deployments" })).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('zlayer.dashboard.token')"));
        await page.ScreenshotAsync(new() { Path = DashboardFixture.Screenshot("06-token-revoked") });
    }

    [Fact]
    public async Task Proxy_routes_count_requests_through_the_proxy_and_nodes_describe_this_node()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await fixture.TokenAsync("viewer"));
        using var proxied = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        long requests = 0;
        await ZLayer.EndToEnd.Eventually.HoldsAsync(
            async () =>
            {
                using var answer = await proxied.GetAsync(new Uri($"http://127.0.0.1:{fixture.ProxyPort}/"));
                var routes = JsonNode.Parse(await http.GetStringAsync("api/v1/proxy/routes"))!;
                var web = routes["routes"]!.AsArray().SingleOrDefault(r => (string?)r!["service"] == "web");
                requests = web is null ? 0 : (long)web["backends"]![0]!["requests"]!;
                return answer.IsSuccessStatusCode && (bool)routes["enabled"]! && web is not null && (int)web["port"]! == fixture.ProxyPort
                    && (string?)web["backends"]![0]!["replica"] == "demo.web.1" && (string?)web["backends"]![0]!["state"] == "serving" && requests > 0;
            },
            DashboardFixture.Converge,
            "GET /api/v1/proxy/routes lists demo/web on the proxy port with a serving backend that counted requests");

        var nodes = JsonNode.Parse(await http.GetStringAsync("api/v1/nodes"))!.AsArray();
        var node = Assert.Single(nodes)!;
        Assert.Equal("ready", (string?)node["state"]);
        Assert.Equal("process", (string?)node["runtime"]);
        Assert.True((int)node["capacity"]!["cpus"]! >= 1);
        Assert.True((long)node["capacity"]!["memoryBytes"]! > 0);
        Assert.False(string.IsNullOrEmpty((string?)node["id"]));
    }

    /// <summary>The N of each "tick N from ..." line, in the order shown.</summary>
    private static List<int> TickNumbers(IEnumerable<string> texts) =>
        [.. texts.Select(t => t.Split(' ')).Where(w => w.Length > 1 && w[0] == "tick").Select(w => int.Parse(w[1], System.Globalization.CultureInfo.InvariantCulture))];

    private static async Task AssertNoHorizontalScrollAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"the {what} page is {widths[0]}px wide on a {widths[1]}px screen");
    }
}
