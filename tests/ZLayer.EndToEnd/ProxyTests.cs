using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Tools;

namespace ZLayer.EndToEnd;

/// <summary>
/// The node proxy and DNS as the daemon runs them: a service's `http` endpoint on the node
/// follows its healthy replicas as they scale up and down, a deployment whose endpoint takes a
/// port already served is refused at deploy, and the node DNS answers for the service.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProxyTests : IAsyncLifetime
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

    private string Spec(string deployment, int replicas) => $$"""
        version: v1
        deployment: {{deployment}}
        services:
          web:
            runtime: process
            command: { entrypoint: [zlayer, demo-server] }
            endpoints:
              - { name: http, protocol: http, port: {{_proxyPort}}, expose: public }
            scale: { mode: fixed, replicas: {{replicas}} }
        """;

    /// <summary>Which replicas answer a round of requests through the proxy (nothing when none can).</summary>
    private async Task<HashSet<string>> ServedByAsync(int requests)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < requests; i++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{_proxyPort}/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    seen.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["served_by"]!.GetValue<string>());
                }
            }
            catch (HttpRequestException)
            {
                // The listener is not open yet.
            }
        }

        return seen;
    }

    private Task ServedByExactlyAsync(params string[] replicas) =>
        Eventually.HoldsAsync(async () => (await ServedByAsync(replicas.Length * 4)).SetEquals(replicas), Converge, $"the proxy answering from exactly {string.Join(", ", replicas)}");

    [Fact]
    public async Task The_proxy_follows_healthy_replicas_refuses_a_conflicting_endpoint_and_dns_names_the_service()
    {
        var deploy = await _daemon.RunAsync("deploy", _daemon.WriteSpec("shop.zlayer.yaml", Spec("shop", 2)));
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
        await ServedByExactlyAsync("shop.web.1", "shop.web.2");

        var up = await _daemon.RunAsync("scale", "web=3");
        Assert.True(up.ExitCode == 0, up.Stdout + up.Stderr);
        await ServedByExactlyAsync("shop.web.1", "shop.web.2", "shop.web.3");

        var down = await _daemon.RunAsync("scale", "web=2");
        Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
        await ServedByExactlyAsync("shop.web.1", "shop.web.2");

        var conflicting = await _daemon.RunAsync("deploy", _daemon.WriteSpec("other.zlayer.yaml", Spec("other", 1)));
        Assert.NotEqual(0, conflicting.ExitCode);
        Assert.Contains(
            $"port {_proxyPort}: endpoint 'http' of other/web conflicts with endpoint 'http' of shop/web (same route: any host, path /)",
            conflicting.Stdout + conflicting.Stderr);

        // Process replicas share the host's loopback address; DNS names the service by it.
        var dig = await LocalNetwork.DigAsync(_dnsPort, "web.service.local");
        Assert.Equal(["127.0.0.1"], dig.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct());
    }
}
