using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ZLayer.Proxy;
using ZLayer.Proxy.Routing;
using ZLayer.Spec.Model;

namespace ZLayer.Bench;

/// <summary>
/// `bench proxy`: wrk against our node proxy, nginx (reverse proxy, upstream keep-alive) and
/// HAProxy, one after another, all in front of the same nginx serving a small static body.
/// Pinning: wrk and the backend nginx share CPU 0; the proxy under test has CPU 1 to itself.
/// </summary>
public static partial class ProxyBenchmark
{
    private const int BackendPort = 18080;
    private const int OurPort = 18081;
    private const int NginxPort = 18082;
    private const int HaproxyPort = 18083;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Options.Int(args, "--duration", 30);
        var connections = Options.Int(args, "--connections", 64);
        var inlineCompletions = !args.Contains("--thread-pool-completions");
        var work = Directory.CreateTempSubdirectory("zlayer-proxy-bench-");
        var started = new List<Process>();
        try
        {
            File.WriteAllText(Path.Combine(work.FullName, "index.html"), "hello from the backend\n");
            started.Add(StartPinned("0", "nginx", "-p", work.FullName, "-c", WriteConfig(work, "backend.conf", BackendConfig(work.FullName)), "-g", "daemon off;"));
            await WaitForPortAsync(BackendPort, started[0]);

            var results = new List<(string Name, WrkResult Result)>();
            results.Add(("zlayer", await MeasureOurProxyAsync(seconds, connections, inlineCompletions)));

            var nginx = StartPinned("1", "nginx", "-p", work.FullName, "-c", WriteConfig(work, "proxy.conf", NginxProxyConfig()), "-g", "daemon off;");
            started.Add(nginx);
            await WaitForPortAsync(NginxPort, nginx);
            results.Add(("nginx", await WrkAsync(NginxPort, seconds, connections)));
            Stop(nginx);

            var haproxy = StartPinned("1", "haproxy", "-f", WriteConfig(work, "haproxy.cfg", HaproxyConfig()));
            started.Add(haproxy);
            await WaitForPortAsync(HaproxyPort, haproxy);
            results.Add(("haproxy", await WrkAsync(HaproxyPort, seconds, connections)));

            var reference = results.Single(r => r.Name == "nginx").Result;
            foreach (var (name, r) in results)
            {
                Console.WriteLine(Measure.Line($"proxy {name,-8} {r.RequestsPerSecond,10:F0} req/s  p50 {r.P50Ms:F2}ms  p99 {r.P99Ms:F2}ms  throughput x{r.RequestsPerSecond / reference.RequestsPerSecond:F2} of nginx  p99 x{r.P99Ms / reference.P99Ms:F2} of nginx"));
            }

            return 0;
        }
        finally
        {
            started.ForEach(Stop);
            work.Delete(recursive: true);
        }
    }

    private static async Task<WrkResult> MeasureOurProxyAsync(int seconds, int connections, bool inlineCompletions)
    {
        // A process of its own started through taskset like nginx and HAProxy, so the runtime
        // sizes its thread pool for the one CPU it has.
        var self = Environment.ProcessPath!;
        var entry = typeof(ProxyBenchmark).Assembly.Location;
        var arguments = self.EndsWith("dotnet", StringComparison.Ordinal) ? new[] { entry } : [];
        // Socket completions run on the epoll thread instead of a thread-pool hop each, as the
        // daemon is meant to be started (docs/PERFORMANCE.md); --thread-pool-completions measures without.
        var environment = inlineCompletions ? new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" } : [];
        using var server = StartPinned("1", self, environment, [.. arguments, "proxy-serve", OurPort.ToString(CultureInfo.InvariantCulture), BackendPort.ToString(CultureInfo.InvariantCulture)]);
        try
        {
            await WaitForPortAsync(OurPort, server);
            return await WrkAsync(OurPort, seconds, connections);
        }
        finally
        {
            Stop(server);
        }
    }

    /// <summary>
    /// `bench proxy-serve PORT BACKEND_PORT [--no-metrics]`: our proxy alone, until killed, with the
    /// daemon's /metrics collector listening to its instruments as in the daemon (unless --no-metrics).
    /// </summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var port = int.Parse(args[0], CultureInfo.InvariantCulture);
        var backend = int.Parse(args[1], CultureInfo.InvariantCulture);
        using var metrics = args.Contains("--no-metrics") ? null : new ZLayer.Server.Metrics.MetricsCollector();
        await using var proxy = new NodeProxy(new NodeProxyOptions { PublicAddress = IPAddress.Loopback });
        var endpoint = new EndpointSpec { Name = "web", Protocol = EndpointProtocol.Http, Port = (ushort)port, Expose = ExposeMode.Public };
        await proxy.ApplyAsync(RouteTable.Build([new RouteInput("bench", "web", endpoint, [new BackendAddress("127.0.0.1", backend, "r1")])]).Table!);
        var stop = new TaskCompletionSource();
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;

        // Allocation per request is steady where timings on a shared machine are not: the figure to tune by.
        var requests = proxy.Routes.Backends().Sum(b => b.Backend.TotalRequests);
        Console.WriteLine(Measure.Line($"proxy-serve {requests} requests, {GC.GetTotalAllocatedBytes() / Math.Max(1, requests)} bytes allocated per request, {GC.CollectionCount(0)} gen0 collections"));
        return 0;
    }

    private static async Task<WrkResult> WrkAsync(int port, int seconds, int connections)
    {
        // A short warm-up (JIT, connection pools) that is not measured.
        await RunWrkAsync(port, 2, connections);
        return Parse(await RunWrkAsync(port, seconds, connections));
    }

    private static async Task<string> RunWrkAsync(int port, int seconds, int connections)
    {
        using var wrk = StartPinned("0", "wrk", "-t", "1", "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--latency", $"http://127.0.0.1:{port}/index.html");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk on port {port} failed: {await wrk.StandardError.ReadToEndAsync()}");
        }

        return output;
    }

    private static WrkResult Parse(string output)
    {
        static double Ms(string value, string unit) => double.Parse(value, CultureInfo.InvariantCulture) * unit switch { "us" => 0.001, "s" => 1000, _ => 1 };
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var p50 = Percentile("50", output);
        var p99 = Percentile("99", output);
        var errors = NonSuccess().Match(output);
        if (errors.Success || output.Contains("Socket errors", StringComparison.Ordinal))
        {
            Console.Error.WriteLine(output);
        }

        return new WrkResult(rps, Ms(p50.Groups[1].Value, p50.Groups[2].Value), Ms(p99.Groups[1].Value, p99.Groups[2].Value));
    }

    private static Match Percentile(string p, string output) => Regex.Match(output, $@"^\s+{p}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);

    private static Process StartPinned(string cpu, string program, params string[] args) => StartPinned(cpu, program, new Dictionary<string, string>(), args);

    private static Process StartPinned(string cpu, string program, Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        foreach (var arg in new[] { "-c", cpu, program }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    private static async Task WaitForPortAsync(int port, Process? server)
    {
        // The master-less nginx and HAProxy stay in the foreground as the one process Stop kills.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                if (server is { HasExited: true })
                {
                    throw new InvalidOperationException($"the server for port {port} exited: {await server.StandardError.ReadToEndAsync()}");
                }

                await Task.Delay(50);
            }
        }
    }

    private static string WriteConfig(DirectoryInfo work, string name, string text)
    {
        var path = Path.Combine(work.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Common(string pidFile) => $$"""
        master_process off;
        worker_processes 1;
        pid {{pidFile}};
        error_log stderr error;
        events { worker_connections 4096; }
        """;

    private static string BackendConfig(string root) => Common("backend.pid") + $$"""

        http {
          access_log off;
          client_body_temp_path /tmp; proxy_temp_path /tmp; fastcgi_temp_path /tmp; uwsgi_temp_path /tmp; scgi_temp_path /tmp;
          keepalive_requests 1000000;
          server { listen 127.0.0.1:{{BackendPort}}; root {{root}}; }
        }
        """;

    private static string NginxProxyConfig() => Common("proxy.pid") + $$"""

        http {
          access_log off;
          client_body_temp_path /tmp; proxy_temp_path /tmp; fastcgi_temp_path /tmp; uwsgi_temp_path /tmp; scgi_temp_path /tmp;
          keepalive_requests 1000000;
          upstream backend { server 127.0.0.1:{{BackendPort}}; keepalive 128; }
          server {
            listen 127.0.0.1:{{NginxPort}};
            location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
          }
        }
        """;

    private static string HaproxyConfig() => $$"""
        global
          nbthread 1
        defaults
          mode http
          timeout connect 5s
          timeout client 60s
          timeout server 60s
          option http-keep-alive
        frontend fe
          bind 127.0.0.1:{{HaproxyPort}}
          default_backend be
        backend be
          http-reuse always
          server s1 127.0.0.1:{{BackendPort}}

        """;

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();

    private sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms);
}
