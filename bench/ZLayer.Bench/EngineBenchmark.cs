using System.Diagnostics;
using System.Globalization;

using static ZLayer.Bench.DaemonProbe;
using static ZLayer.Bench.Measure;

namespace ZLayer.Bench;

/// <summary>
/// The single-node engine with the process runtime, against supervisord (a process supervisor
/// people run in production) and bare fork/exec as the lower bound, in the same run: time from
/// deploy to N running replicas, to N healthy HTTP replicas, API and CLI round trips, daemon
/// memory, and time to stop everything.
/// </summary>
public static class EngineBenchmark
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var replicas = Options.Int(args, "--replicas", 100);
        var healthy = Options.Int(args, "--healthy", 20);
        var zlayer = Options.String(args, "--zlayer", null) ?? Path.Combine(Options.RepositoryRoot(), "zlayer");
        var root = Directory.CreateTempSubdirectory("zlayer-bench-").FullName;
        try
        {
            var results = new List<string>
            {
                await BareProcessesAsync(replicas),
                await SupervisordAsync(root, replicas),
            };
            results.AddRange(await ZLayerAsync(zlayer, root, replicas, healthy));
            foreach (var line in results)
            {
                Console.WriteLine(line);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The floor: N sleep processes started one after another, until each exists.</summary>
    private static async Task<string> BareProcessesAsync(int n)
    {
        var sw = Stopwatch.StartNew();
        var started = new List<Process>();
        for (var i = 0; i < n; i++)
        {
            started.Add(Process.Start("sleep", "100000"));
        }

        var elapsed = sw.Elapsed;
        foreach (var p in started)
        {
            p.Kill();
            await p.WaitForExitAsync();
            p.Dispose();
        }

        return Line($"bare-fork-exec replicas={n} start_all={Ms(elapsed)}");
    }

    /// <summary>supervisord with N programs (startsecs=0, so RUNNING means started, as for zlayer).</summary>
    private static async Task<string> SupervisordAsync(string root, int n)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "supervisord")).FullName;
        var socket = Path.Combine(dir, "supervisor.sock");
        var conf = Path.Combine(dir, "supervisord.conf");
        var text = new System.Text.StringBuilder($"""
            [unix_http_server]
            file={socket}
            [supervisord]
            logfile={dir}/supervisord.log
            pidfile={dir}/supervisord.pid
            nodaemon=true
            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
            [supervisorctl]
            serverurl=unix://{socket}

            """);
        for (var i = 1; i <= n; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"[program:sleeper{i}]\ncommand=sleep 100000\nstartsecs=0\nstdout_logfile={dir}/sleeper{i}.log\nredirect_stderr=true\n");
        }

        await File.WriteAllTextAsync(conf, text.ToString());
        var sw = Stopwatch.StartNew();
        using var daemon = Process.Start(new ProcessStartInfo("supervisord", ["-c", conf]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _ = daemon.StandardOutput.ReadToEndAsync();
        _ = daemon.StandardError.ReadToEndAsync();
        try
        {
            await WaitAsync(async () => (await RunProgramAsync("supervisorctl", "-c", conf, "status")).Split('\n').Count(l => l.Contains("RUNNING", StringComparison.Ordinal)) == n, "supervisord programs running");
            var running = sw.Elapsed;
            var rss = RssMiB(daemon.Id);
            sw.Restart();
            await RunProgramAsync("supervisorctl", "-c", conf, "stop", "all");
            var stopped = sw.Elapsed;
            return Line($"supervisord replicas={n} start_all={Ms(running)} stop_all={Ms(stopped)} daemon_rss={rss:F0}MiB");
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
        }
    }

    private static async Task<List<string>> ZLayerAsync(string zlayer, string root, int n, int healthy)
    {
        var data = Path.Combine(root, "zlayer");
        var socket = Path.Combine(root, "zlayer.sock");
        var environment = new Dictionary<string, string> { ["ZLAYER_HOST"] = "unix://" + socket, ["ZLAYER_DATA_DIR"] = data };
        await RunProgramAsync(zlayer, "--version"); // builds the CLI first if needed, outside the timings
        var start = new ProcessStartInfo(zlayer, ["serve", "--socket", socket, "--data-dir", data, "--api", "none", "--log-format", "json", "--stop-on-exit"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var daemon = Process.Start(start)!;
        _ = daemon.StandardError.ReadToEndAsync();
        _ = daemon.StandardOutput.ReadToEndAsync();
        using var http = UnixHttp(socket);
        var results = new List<string>();
        try
        {
            await WaitAsync(async () => await TryGetAsync(http, "/health/live") is not null, "daemon live");
            var idle = RssMiB(daemon.Id);

            // N plain processes: deploy to all running.
            var sleepers = Path.Combine(root, "sleepers.zlayer.yaml");
            await File.WriteAllTextAsync(sleepers, $"""
                version: v1
                deployment: sleepers
                services:
                  sleeper:
                    runtime: process
                    command: {"{"} entrypoint: [sleep, "100000"] {"}"}
                    scale: {"{"} mode: fixed, replicas: {n} {"}"}
                """);
            var sw = Stopwatch.StartNew();
            await RunProgramAsync(zlayer, environment, "deploy", sleepers);
            await WaitAsync(async () => Count(await ReplicasAsync(http), "running", null) == n, "sleepers running");
            var running = sw.Elapsed;
            var loaded = RssMiB(daemon.Id);

            // Round trips while N replicas are supervised.
            var api = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var t = Stopwatch.StartNew();
                await ReplicasAsync(http);
                api.Add(t.Elapsed.TotalMilliseconds);
            }

            var cli = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                var t = Stopwatch.StartNew();
                await RunProgramAsync(zlayer, environment, "ps", "-o", "json");
                cli.Add(t.Elapsed.TotalMilliseconds);
            }

            sw.Restart();
            await RunProgramAsync(zlayer, environment, "down", "sleepers");
            await WaitAsync(async () => (await ReplicasAsync(http)).Count == 0, "sleepers gone");
            var stopped = sw.Elapsed;
            results.Add(Line($"zlayer replicas={n} start_all={Ms(running)} stop_all={Ms(stopped)} daemon_rss_idle={idle:F0}MiB daemon_rss_loaded={loaded:F0}MiB"));
            results.Add(Line($"zlayer-roundtrip replicas={n} api_get_replicas_median={Median(api):F1}ms cli_ps_json_median={Median(cli):F0}ms"));

            // HTTP replicas with a health check every second: deploy to all healthy.
            var web = Path.Combine(root, "web.zlayer.yaml");
            await File.WriteAllTextAsync(web, $"""
                version: v1
                deployment: webs
                services:
                  web:
                    runtime: process
                    command: {"{"} entrypoint: [zlayer, demo-server] {"}"}
                    endpoints: [{"{"} name: http, protocol: http, port: 8080 {"}"}]
                    health: {"{"} start_grace: 0s, interval: 1s, check: {"{"} type: http, url: "http://localhost:8080/healthz" {"}"} {"}"}
                    scale: {"{"} mode: fixed, replicas: {healthy} {"}"}
                """);
            sw.Restart();
            await RunProgramAsync(zlayer, environment, "deploy", web);
            await WaitAsync(async () => Count(await ReplicasAsync(http), "running", "healthy") == healthy, "web replicas healthy");
            var allHealthy = sw.Elapsed;
            await RunProgramAsync(zlayer, environment, "down", "webs");
            await WaitAsync(async () => (await ReplicasAsync(http)).Count == 0, "web replicas gone");
            results.Add(Line($"zlayer-http-healthy replicas={healthy} deploy_to_all_healthy={Ms(allHealthy)} (health interval 1s)"));
            return results;
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
        }
    }
}
