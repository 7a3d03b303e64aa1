using System.Diagnostics;
using System.Text;
using ZLayer.TestImages.Tools;
using static ZLayer.Bench.DaemonProbe;

namespace ZLayer.Bench;

/// <summary>
/// `bench api`: GET /api/v1/deployments over TCP with N deployments stored, at a constant rate
/// (open loop), against nginx serving the same bytes as a static file at the same rate in the same
/// run: nginx is the floor for "an HTTP server answering this body on this machine".
/// </summary>
public static class ApiBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var deployments = Options.Int(args, "--deployments", 100);
        var rate = Options.Int(args, "--rate", 1000);
        var seconds = Options.Int(args, "--seconds", 30);
        var zlayer = Options.String(args, "--zlayer", null) ?? Path.Combine(Options.RepositoryRoot(), "zlayer");
        var root = Directory.CreateTempSubdirectory("zlayer-bench-api-").FullName;
        var results = new List<(string Name, OpenLoopLoad.Result Result)>();
        try
        {
            await RunProgramAsync(zlayer, "--version"); // builds the CLI first if needed
            var socket = Path.Combine(root, "zlayer.sock");
            var port = LoopbackPort.Free();
            var daemonArgs = new List<string>
            {
                "serve", "--socket", socket, "--data-dir", Path.Combine(root, "data"), "--api", $"127.0.0.1:{port}",
                "--runtime", "process", "--no-proxy", "--no-dns", "--log-format", "json", "--stop-on-exit",

                // One client at 1,000/s is far over the per-client default (100/s); the limit is
                // not what is measured here.
                "--api-rate-limit", "0",
            };
            daemonArgs.AddRange(DaemonExtraArgs(args));
            using var daemon = Process.Start(new ProcessStartInfo(zlayer, daemonArgs) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            _ = daemon.StandardOutput.ReadToEndAsync();
            _ = daemon.StandardError.ReadToEndAsync();
            string body;
            try
            {
                using var local = UnixHttp(socket);
                await WaitAsync(async () => await TryGetAsync(local, "/health/live") is not null, "daemon live");
                await SeedAsync(local, deployments);
                var token = Options.String(args, "--token", null)
                    ?? (await File.ReadAllTextAsync(Path.Combine(root, "data", "api-admin.token"))).Trim();
                using var tcp = Client(port);
                using (var first = await tcp.SendAsync(Get(port, token)))
                {
                    body = await first.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
                }

                await WarmUpAsync(tcp, () => Get(port, token), rate);
                results.Add(("zlayer", await OpenLoopLoad.RunAsync(tcp, () => Get(port, token), rate, TimeSpan.FromSeconds(seconds))));
            }
            finally
            {
                daemon.Kill(entireProcessTree: true);
                await daemon.WaitForExitAsync();
            }

            results.Add(("nginx", await NginxAsync(root, body, rate, seconds)));
            foreach (var (name, r) in results)
            {
                Console.WriteLine(Measure.Line(
                    $"api {name,-6} GET /api/v1/deployments ({deployments} deployments, {body.Length} B) at {rate}/s for {seconds}s: sent {r.Sent} ok {r.Succeeded} failed {r.Failed} achieved {r.AchievedRate:F0}/s p50 {r.P50Ms:F2}ms p99 {r.P99Ms:F2}ms max {r.MaxMs:F1}ms"));
            }

            return results.All(r => r.Result.Failed == 0) ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A few seconds at the rate before the measured run, not counted: the first requests of a .NET
    /// server pay for JIT compilation and connection setup, which is start-up cost, not serving cost.
    /// </summary>
    private static Task WarmUpAsync(HttpClient http, Func<HttpRequestMessage> request, int rate) =>
        OpenLoopLoad.RunAsync(http, request, rate, TimeSpan.FromSeconds(5));

    /// <summary>Everything after <c>--</c> goes to <c>zlayer serve</c> (e.g. a rate-limit setting).</summary>
    private static IEnumerable<string> DaemonExtraArgs(string[] args) =>
        Array.IndexOf(args, "--") is var i and >= 0 ? args[(i + 1)..] : [];

    /// <summary>N deployments of one service with manual scale, so they are stored but start nothing.</summary>
    private static async Task SeedAsync(HttpClient local, int deployments)
    {
        for (var i = 1; i <= deployments; i++)
        {
            var spec = $$"""
                version: v1
                deployment: bench-{{i:D3}}
                services:
                  web:
                    runtime: process
                    command: { entrypoint: [sleep, "100000"] }
                    endpoints: [{ name: http, protocol: http, port: {{20000 + i}} }]
                    scale: { mode: manual }
                """;
            using var content = new StringContent(spec, Encoding.UTF8, "application/yaml");
            using var response = await local.PostAsync(new Uri("/api/v1/deployments", UriKind.Relative), content);
            response.EnsureSuccessStatusCode();
        }
    }

    private static HttpRequestMessage Get(int port, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/api/v1/deployments");
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static HttpClient Client(int port) => new(new SocketsHttpHandler
    {
        // Enough connections that the load is never queued in the client at this rate.
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    })
    { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<OpenLoopLoad.Result> NginxAsync(string root, string body, int rate, int seconds)
    {
        var www = Directory.CreateDirectory(Path.Combine(root, "nginx", "api", "v1")).FullName;
        await File.WriteAllTextAsync(Path.Combine(www, "deployments"), body);
        var port = LoopbackPort.Free();
        var conf = Path.Combine(root, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            master_process off;
            pid {{root}}/nginx.pid;
            error_log {{root}}/nginx-error.log;
            events { worker_connections 1024; }
            http {
              access_log off;
              default_type application/json;
              server { listen 127.0.0.1:{{port}}; root {{root}}/nginx; }
            }
            """);
        using var nginx = Process.Start(new ProcessStartInfo("nginx", ["-p", root, "-c", conf, "-g", "daemon off;"]) { RedirectStandardError = true })!;
        try
        {
            using var http = Client(port);
            await WaitAsync(async () => await TryGetAsync(http, "/api/v1/deployments") is not null, "nginx answers");
            await WarmUpAsync(http, () => Get(port, null), rate);
            return await OpenLoopLoad.RunAsync(http, () => Get(port, null), rate, TimeSpan.FromSeconds(seconds));
        }
        finally
        {
            nginx.Kill();
            await nginx.WaitForExitAsync();
        }
    }

}
