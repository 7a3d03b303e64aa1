using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using ZLayer.EndToEnd;

namespace ZLayer.Dashboard.Tests;

/// <summary>
/// A real daemon with a TCP API on a free loopback port, a deployment with a chatty service and
/// a web service behind the node proxy, and Debian's Chromium driven by Playwright. One per test
/// class; the tests run one after another against it.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    /// <summary>Debian's browser; Playwright never downloads one here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public DaemonFixture Daemon { get; } = new();

    public int ApiPort { get; } = FreePort();

    public int ProxyPort { get; } = FreePort();

    public string BaseUrl => $"http://127.0.0.1:{ApiPort}";

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    /// <summary>Where screenshots go: TestResults/dashboard under the repository root (git-ignored).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(ZLayerProcess.RepositoryRoot, "TestResults", "dashboard");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        Daemon.Api = $"127.0.0.1:{ApiPort}";
        await Daemon.StartAsync();
        var spec = Daemon.WriteSpec("demo.zlayer.yaml", $$"""
            version: v1
            deployment: demo
            services:
              talker:
                runtime: process
                command: { entrypoint: [sh, -c, "n=0; while true; do n=$((n+1)); echo \"tick $n from $ZLAYER_REPLICA\"; sleep 1; done"] }
                scale: { mode: fixed, replicas: 1 }
              web:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints:
                  - { name: http, protocol: http, port: {{ProxyPort}} }
                scale: { mode: fixed, replicas: 1 }
            """);
        var deploy = await Daemon.RunAsync("deploy", spec);
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
        await Eventually.HoldsAsync(
            async () => (await Daemon.ReplicasAsync()).Count(r => r["state"]?.GetValue<string>() == "running") == 2,
            Converge,
            "talker and web running");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>
    /// A real API token for <paramref name="role"/>, made as an operator does: `zlayer token
    /// create` on the daemon's host (the Unix socket acts as admin). Returns the token and its id.
    /// </summary>
    public async Task<(string Token, string Id)> IssueTokenAsync(string role)
    {
        var create = await Daemon.RunAsync("token", "create", "--role", role, "--ttl", "1h", "--name", $"dashboard-{role}");
        Assert.True(create.ExitCode == 0, create.Stderr);

        // The token is alone on stdout's last line; "token ID (NAME, ROLE) valid until ..." goes to stderr.
        return (create.Stdout.TrimEnd('\n').Split('\n')[^1], create.Stderr.Split(' ')[1]);
    }

    public async Task<string> TokenAsync(string role) => (await IssueTokenAsync(role)).Token;

    public async Task<IPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options ?? new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        return await context.NewPageAsync();
    }

    public static string Screenshot(string name) => Path.Combine(ScreenshotDirectory, name + ".png");

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Daemon.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
