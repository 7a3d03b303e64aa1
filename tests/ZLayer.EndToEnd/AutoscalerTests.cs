using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Tools;

namespace ZLayer.EndToEnd;

/// <summary>
/// The autoscaler as the daemon runs it, with its default interval and smoothing: a process
/// service behind the node proxy, put under real load by wrk, scales up on its requests per
/// second, and the decision shows in `zlayer inspect SERVICE` and in the events with the
/// metric values that caused it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AutoscalerTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();
    private readonly int _port = LoopbackPort.Free();

    public Task InitializeAsync()
    {
        _daemon.ExtraArgs.Add("--no-dns");
        return _daemon.StartAsync();
    }

    public Task DisposeAsync() => _daemon.DisposeAsync().AsTask();


    [Fact]
    public async Task A_process_service_under_wrk_load_scales_up_on_requests_per_second_and_records_why()
    {
        var spec = _daemon.WriteSpec("shop.zlayer.yaml", $$"""
            version: v1
            deployment: shop
            services:
              web:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints:
                  - { name: http, protocol: http, port: {{_port}}, expose: public }
                scale: { mode: adaptive, min: 1, max: 4, cooldown: 5s, targets: { rps: 20 } }
            """);
        var deploy = await _daemon.RunAsync("deploy", spec);
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
        await Eventually.HoldsAsync(ServesAsync, TimeSpan.FromSeconds(60), "the proxy serving web");
        Assert.Empty(await DecisionsAsync());

        using var wrk = Process.Start(new ProcessStartInfo("/usr/bin/wrk", ["-t1", "-c4", "-d120s", $"http://127.0.0.1:{_port}/"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            var decisions = await Eventually.ValueAsync(
                async () => await DecisionsAsync() is { Count: > 0 } found && found[^1]["to"]!.GetValue<int>() == 4 ? found : null,
                TimeSpan.FromSeconds(90),
                "the autoscaler's decisions in `zlayer inspect web` reaching max (4)");

            // Far above 20 requests per second: up from 1, proportionally (straight to 4 unless the
            // first sample caught only the first moments of the load), never beyond max.
            var first = decisions[0];
            Assert.Equal((1, "load"), (first["from"]!.GetValue<int>(), first["reason"]!.GetValue<string>()));
            Assert.All(decisions, d => Assert.True(d["to"]!.GetValue<int>() > d["from"]!.GetValue<int>(), d.ToJsonString()));
            var rps = first["metrics"]!.AsArray().Single()!;
            Assert.Equal("rps", rps["metric"]!.GetValue<string>());
            Assert.True(rps["observed"]!.GetValue<double>() > 20 * 1.1, rps.ToJsonString());
            Assert.Equal(20, rps["target"]!.GetValue<double>());
            Assert.Equal(Math.Min(4, rps["wanted"]!.GetValue<int>()), first["to"]!.GetValue<int>());

            var scaled = (await _daemon.EventsAsync()).Where(e => e["type"]!.GetValue<string>() == "service.scaled").Select(e => e["message"]!.GetValue<string>()).ToList();
            Assert.Equal(decisions.Count, scaled.Count);
            Assert.StartsWith($"autoscaler scaled up from 1 to {first["to"]!.GetValue<int>()} (load): rps ", scaled[0]);
            Assert.All(scaled, m => Assert.EndsWith("/20 per replica", m));

            await Eventually.HoldsAsync(
                async () => (await _daemon.ReplicasAsync()).Count(r => r["state"]!.GetValue<string>() == "running") == 4,
                TimeSpan.FromSeconds(60),
                "four running replicas of web");
        }
        finally
        {
            wrk.Kill();
            await wrk.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_busy_process_service_scales_up_on_cpu_measured_from_proc()
    {
        // One shell spinning takes a whole core: twice a 50% target, so the service wants two.
        var spec = _daemon.WriteSpec("spin.zlayer.yaml", """
            version: v1
            deployment: spin
            services:
              spinner:
                runtime: process
                command: { entrypoint: [sh, -c, "while :; do :; done"] }
                scale: { mode: adaptive, min: 1, max: 2, targets: { cpu: 50 } }
            """);
        var deploy = await _daemon.RunAsync("deploy", spec);
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);

        var decision = await Eventually.ValueAsync(
            async () => (await DecisionsAsync("spinner", "spin")).FirstOrDefault(),
            TimeSpan.FromSeconds(90),
            "a scaling decision in `zlayer inspect spinner`");

        Assert.Equal((1, 2, "load"), (decision["from"]!.GetValue<int>(), decision["to"]!.GetValue<int>(), decision["reason"]!.GetValue<string>()));
        var cpu = decision["metrics"]!.AsArray().Single()!;
        Assert.Equal(("cpu", 50.0), (cpu["metric"]!.GetValue<string>(), cpu["target"]!.GetValue<double>()));
        Assert.True(cpu["observed"]!.GetValue<double>() > 50 * 1.1, cpu.ToJsonString());
        await Eventually.HoldsAsync(
            async () => (await _daemon.ReplicasAsync()).Count(r => r["state"]!.GetValue<string>() == "running") == 2,
            TimeSpan.FromSeconds(60),
            "two running replicas of spinner");
    }

    private async Task<bool> ServesAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{_port}/"));
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>The autoscaler's decisions as `zlayer inspect SERVICE -o json` shows them, newest last.</summary>
    private async Task<List<JsonNode>> DecisionsAsync(string name = "web", string deployment = "shop")
    {
        var inspect = await _daemon.RunAsync("inspect", name, "-o", "json");
        Assert.True(inspect.ExitCode == 0, inspect.Stdout + inspect.Stderr);
        var service = JsonNode.Parse(inspect.Stdout)!;
        Assert.Equal((deployment, name), (service["deployment"]!.GetValue<string>(), service["name"]!.GetValue<string>()));
        return [.. service["autoscaling"]!["decisions"]!.AsArray().Select(d => d!)];
    }
}
