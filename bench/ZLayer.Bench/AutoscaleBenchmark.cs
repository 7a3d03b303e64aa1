using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Tools;
using static ZLayer.Bench.DaemonProbe;
using static ZLayer.Bench.Measure;

namespace ZLayer.Bench;

/// <summary>
/// The autoscaler with its default settings (5 s interval, 5 s smoothing half-life) on a real
/// daemon with the process runtime: time from the start of load on a service's endpoint to the
/// autoscaler's scale-up decision, for a load far above the RPS target (wrk, as fast as it can)
/// and for a paced load of twice the target. Each run is a fresh deployment, so no cooldown or
/// earlier smoothing carries over, and the load starts at a different point of the sampling
/// cycle each time.
/// </summary>
public static class AutoscaleBenchmark
{
    private const int TargetRps = 20;

    /// <summary>Seeded: the same phases in every invocation, so two runs of the benchmark compare like with like.</summary>
    private static readonly Random Phase = new(2026);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Options.Int(args, "--runs", 5);
        var zlayer = Options.String(args, "--zlayer", null) ?? Path.Combine(Options.RepositoryRoot(), "zlayer");
        var root = Directory.CreateTempSubdirectory("zlayer-bench-autoscale-").FullName;
        var data = Path.Combine(root, "data");
        var socket = Path.Combine(root, "zlayer.sock");
        await RunProgramAsync(zlayer, "--version"); // builds the CLI first if needed
        using var daemon = Process.Start(new ProcessStartInfo(zlayer, ["serve", "--socket", socket, "--data-dir", data, "--api", "none", "--runtime", "process", "--no-dns", "--log-format", "json", "--stop-on-exit"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = daemon.StandardError.ReadToEndAsync();
        _ = daemon.StandardOutput.ReadToEndAsync();
        using var api = UnixHttp(socket);
        try
        {
            await WaitAsync(async () => await TryGetAsync(api, "/health/live") is not null, "daemon live");
            var saturating = new List<double>();
            var paced = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                saturating.Add(await TimeToScaleUpAsync(api, $"sat{run}", WrkAsync));
                paced.Add(await TimeToScaleUpAsync(api, $"paced{run}", PacedAsync));
            }

            Console.WriteLine(Line($"autoscale load=wrk-saturating target_rps={TargetRps} runs={runs} load_to_decision_median={Median(saturating):F1}s max={saturating.Max():F1}s all=[{string.Join(" ", saturating.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))}]"));
            Console.WriteLine(Line($"autoscale load=paced-2x-target target_rps={TargetRps} runs={runs} load_to_decision_median={Median(paced):F1}s max={paced.Max():F1}s all=[{string.Join(" ", paced.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))}]"));
            return 0;
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Seconds from the start of <paramref name="load"/> to the decision's own timestamp (same host clock).</summary>
    private static async Task<double> TimeToScaleUpAsync(HttpClient api, string deployment, Func<int, CancellationToken, Task> load)
    {
        var port = LoopbackPort.Free();
        var spec = $$"""
            version: v1
            deployment: {{deployment}}
            services:
              web:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints: [{ name: http, protocol: http, port: {{port}}, expose: public }]
                scale: { mode: adaptive, min: 1, max: 4, targets: { rps: {{TargetRps}} } }
            """;
        using (var deployed = await api.PostAsJsonAsync(new Uri("/api/v1/deployments", UriKind.Relative), new { spec, source = deployment + ".zlayer.yaml", deployedBy = "bench" }))
        {
            deployed.EnsureSuccessStatusCode();
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitAsync(async () => await ServesAsync(client, port), "the proxy serving web");

        // Let the autoscaler see the idle service for a few samples first, as in production, and
        // start the load at a different point of its 5 s sampling cycle in each run.
        await Task.Delay(TimeSpan.FromSeconds(12 + Phase.NextDouble() * 5));
        using var stop = new CancellationTokenSource();
        var started = DateTimeOffset.UtcNow;
        var loading = load(port, stop.Token);
        JsonNode? decision = null;
        await WaitAsync(async () => (decision = await FirstDecisionAsync(api, deployment)) is not null, "a scale-up decision");
        await stop.CancelAsync();
        await loading;
        using (var removed = await api.DeleteAsync(new Uri($"/api/v1/deployments/{deployment}", UriKind.Relative)))
        {
            removed.EnsureSuccessStatusCode();
        }

        await WaitAsync(async () => (await ReplicasAsync(api)).Count == 0, "replicas gone");
        return (DateTimeOffset.Parse(decision!["time"]!.GetValue<string>(), CultureInfo.InvariantCulture) - started).TotalSeconds;
    }

    private static async Task<JsonNode?> FirstDecisionAsync(HttpClient api, string deployment)
    {
        await Task.Delay(90); // about 10 polls a second over WaitAsync's 10 ms: little load on the daemon being measured
        var service = JsonNode.Parse(await api.GetStringAsync(new Uri($"/api/v1/deployments/{deployment}/services/web", UriKind.Relative)))!;
        return service["autoscaling"]?["decisions"]?.AsArray().FirstOrDefault();
    }

    private static async Task WrkAsync(int port, CancellationToken ct)
    {
        using var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t1", "-c4", "-d300s", $"http://127.0.0.1:{port}/"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }

        wrk.Kill();
        await wrk.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>Twice the target: a request every 1/(2×target) s on one keep-alive connection.</summary>
    private static async Task PacedAsync(int port, CancellationToken ct)
    {
        using var client = new HttpClient();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / (2 * TargetRps)));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/"), ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<bool> ServesAsync(HttpClient client, int port)
    {
        try
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

}
