using System.Diagnostics;
using System.Globalization;
using System.Net;
using ZLayer.TestImages.Tools;

namespace ZLayer.EndToEnd;

/// <summary>
/// /metrics of a live daemon: after a deploy, requests through the node proxy and a DNS lookup,
/// the exposition read over the Unix socket passes `promtool check metrics` (parse and lint) and
/// shows the service's replica gauges, the proxy's and DNS's counters, the replicas' usage and
/// the loops' and store's latency.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MetricsTests : IAsyncLifetime
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private readonly DaemonFixture _daemon = new();
    private readonly int _proxyPort = LoopbackPort.Free();
    private readonly int _dnsPort = LoopbackPort.Free();

    public Task InitializeAsync()
    {
        _daemon.ExtraArgs.AddRange(["--dns-port", _dnsPort.ToString(CultureInfo.InvariantCulture)]);
        return _daemon.StartAsync();
    }

    public Task DisposeAsync() => _daemon.DisposeAsync().AsTask();

    [Fact]
    public async Task The_live_exposition_passes_promtool_and_shows_the_deployment()
    {
        var spec = _daemon.WriteSpec("metrics.zlayer.yaml", $$"""
            version: v1
            deployment: metered
            services:
              web:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints:
                  - { name: http, protocol: http, port: {{_proxyPort}}, expose: public }
                scale: { mode: fixed, replicas: 2 }
            """);
        var deploy = await _daemon.RunAsync("deploy", spec);
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async () => (await http.GetAsync(new Uri($"http://127.0.0.1:{_proxyPort}/"))).StatusCode == HttpStatusCode.OK, Converge, "the proxy answering from a replica");
        Assert.Contains("127.0.0.1", await LocalNetwork.DigAsync(_dnsPort, "web.service.local"));

        var labels = "{deployment=\"metered\",service=\"web\"}";
        var text = "";
        await Eventually.HoldsAsync(async () =>
        {
            text = await ScrapeThroughPromtoolAsync();
            return text.Contains($"zlayer_service_replicas_running{labels} 2\n", StringComparison.Ordinal)
                && text.Contains("zlayer_replica_memory_usage_bytes{deployment=\"metered\",replica=\"metered.web.2\",service=\"web\"}", StringComparison.Ordinal);
        }, Converge, "both replicas running and measured in /metrics");

        Assert.Contains($"zlayer_service_replicas_desired{labels} 2\n", text);
        Assert.Contains($"zlayer_service_restarts{labels} 0\n", text);
        Assert.Contains("zlayer_proxy_requests_total{deployment=\"metered\",endpoint=\"http\",service=\"web\",status_class=\"2xx\"}", text);
        Assert.Contains("zlayer_proxy_request_duration_seconds_bucket{deployment=\"metered\",endpoint=\"http\",service=\"web\",le=\"+Inf\"}", text);
        Assert.Contains("zlayer_proxy_active_requests{deployment=\"metered\",endpoint=\"http\",service=\"web\"} 0\n", text);
        Assert.Contains("zlayer_dns_queries_total{rcode=\"NOERROR\",transport=\"udp\",type=\"A\"}", text);
        Assert.Contains("zlayer_replica_cpu_usage_ratio{deployment=\"metered\",replica=\"metered.web.1\",service=\"web\"}", text);
        Assert.Contains("zlayer_reconcile_duration_seconds_count{loop=\"scheduler\",outcome=\"ok\"}", text);
        Assert.Contains("zlayer_store_duration_seconds_count{operation=\"txn\",outcome=\"ok\"}", text);
        Assert.Contains("# TYPE zlayer_daemon_uptime_seconds gauge\n", text);

        // The daemon ran with --log-format json: every line it wrote is one object with the common keys.
        foreach (var line in File.ReadLines(_daemon.DaemonLog).Where(l => l.Length > 0))
        {
            var record = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
            Assert.True(record.ContainsKey("time") && record.ContainsKey("level") && record.ContainsKey("category") && record.ContainsKey("msg"), line);
        }
    }

    /// <summary>curl over the Unix socket piped into promtool, as an operator would check it; the exposition as curl got it.</summary>
    private async Task<string> ScrapeThroughPromtoolAsync()
    {
        var saved = Path.Combine(_daemon.Root, "metrics.txt");
        var start = new ProcessStartInfo("/bin/bash", ["-c", "set -o pipefail; curl -sS --fail --unix-socket \"$0\" http://localhost/metrics | tee \"$1\" | promtool check metrics", _daemon.Socket, saved])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var check = Process.Start(start)!;
        var output = check.StandardOutput.ReadToEndAsync();
        var errors = check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();
        var said = (await output + await errors).Trim();
        var text = await File.ReadAllTextAsync(saved);

        // Any lint finding fails the test, not only a parse error.
        Assert.True(check.ExitCode == 0 && said.Length == 0, $"curl | promtool check metrics exited {check.ExitCode}: {said}\n---\n{text}");
        return text;
    }
}
