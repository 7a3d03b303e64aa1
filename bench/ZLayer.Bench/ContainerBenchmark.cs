using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Engines;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;
using static ZLayer.Bench.DaemonProbe;
using static ZLayer.Bench.Measure;

namespace ZLayer.Bench;

/// <summary>
/// Container start with the runc runtime: from `zlayer deploy` of one busybox replica (image
/// already pulled) to state running, against `runc create` + `runc start` of a prepared bundle (the
/// floor: no image, no network) and `docker run -d` of the same image on a dockerd with a private
/// socket and data root, in one run. Then 50 replicas deployed at once, to all running.
/// </summary>
public static class ContainerBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Options.Int(args, "--runs", 5);
        var many = Options.Int(args, "--replicas", 50);
        var zlayer = Options.String(args, "--zlayer", null) ?? Path.Combine(Options.RepositoryRoot(), "zlayer");
        var root = Directory.CreateTempSubdirectory("zlayer-bench-ctr-").FullName;
        try
        {
            await using var registry = await RegistryServer.StartAnonymousAsync();
            var image = new OciImageBuilder().Layer(l => l.Busybox()).Cmd("sleep", "100000").Build();
            using (var upload = new RegistryUpload(registry))
            {
                await upload.PushAsync(image, "bench/busybox", "1");
            }

            var reference = $"{registry.Host}/bench/busybox:1";
            Console.WriteLine(Line($"runc-create-start runs={runs} median={Median(await RuncAsync(root, runs)):F0}ms"));
            Console.WriteLine(Line($"docker-run-d runs={runs} median={Median(await DockerAsync(root, image, runs)):F0}ms"));
            foreach (var line in await ZLayerAsync(zlayer, root, reference, runs, many))
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

    /// <summary>The floor: a bundle made beforehand (busybox rootfs, runc's default config), created and started.</summary>
    private static async Task<List<double>> RuncAsync(string root, int runs)
    {
        var bundle = Directory.CreateDirectory(Path.Combine(root, "bundle")).FullName;
        var bin = Directory.CreateDirectory(Path.Combine(bundle, "rootfs", "bin")).FullName;
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        await RunProgramAsync("runc", "spec", "--bundle", bundle);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json")))!;
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray("/bin/busybox", "sleep", "100000");
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), config.ToJsonString());
        var state = Path.Combine(root, "runc-state");
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var id = $"bench-{i}";
            var sw = Stopwatch.StartNew();
            await RunInheritingAsync("runc", "--root", state, "create", "--bundle", bundle, id);
            await RunProgramAsync("runc", "--root", state, "start", id);
            times.Add(sw.Elapsed.TotalMilliseconds);
            await RunProgramAsync("runc", "--root", state, "delete", "--force", id);
        }

        return times;
    }

    /// <summary>dockerd on a private socket and data root, the image loaded from a docker archive, `docker run -d` (returns once started).</summary>
    private static async Task<List<double>> DockerAsync(string root, BuiltImage image, int runs)
    {
        await using var dockerd = await DockerdServer.StartAsync();
        var archive = Path.Combine(root, "busybox.tar");
        image.WriteDockerArchive(archive, "bench/busybox:1");
        await dockerd.CliAsync("load", "-i", archive);
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await dockerd.CliAsync("run", "-d", "--network", "none", "--name", $"bench-{i}", "bench/busybox:1");
            times.Add(sw.Elapsed.TotalMilliseconds);
            await dockerd.CliAsync("rm", "-f", $"bench-{i}");
        }

        return times;
    }

    /// <summary>
    /// Runs a program with the benchmark's own stdout and stderr: `runc create` hands its stdio to
    /// the container, so a pipe read to its end would wait for the container to exit.
    /// </summary>
    private static async Task RunInheritingAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args))!;
        await process.WaitForExitAsync();
    }

    private static async Task<List<string>> ZLayerAsync(string zlayer, string root, string reference, int runs, int many)
    {
        var data = Path.Combine(root, "zlayer");
        var socket = Path.Combine(root, "zlayer.sock");
        var environment = new Dictionary<string, string> { ["ZLAYER_HOST"] = "unix://" + socket, ["ZLAYER_DATA_DIR"] = data };
        await RunProgramAsync(zlayer, "--version");
        var daemon = Process.Start(new ProcessStartInfo(zlayer,
            ["serve", "--socket", socket, "--data-dir", data, "--api", "none", "--runtime", "runc", "--bridge", "zlbench0", "--container-subnet", "10.239.0.0/23", "--stop-on-exit", "--log-format", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = daemon.StandardError.ReadToEndAsync();
        _ = daemon.StandardOutput.ReadToEndAsync();
        using var http = UnixHttp(socket);
        try
        {
            await WaitAsync(async () => await TryGetAsync(http, "/health/live") is not null, "daemon live");
            await RunProgramAsync(zlayer, environment, "image", "pull", "-q", reference);
            var one = new List<double>();
            var accepted = new List<double>();
            var isolated = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var (running, answered) = await DeployAsync(zlayer, environment, http, root, $"one{i}", reference, 1);
                one.Add(running.TotalMilliseconds);
                accepted.Add(answered.TotalMilliseconds);
                isolated.Add((await DeployAsync(zlayer, environment, http, root, $"none{i}", reference, 1, "network_mode: none")).Running.TotalMilliseconds);
            }

            var phases = await PhasesAsync(http, $"one{runs - 1}");
            var all = await DeployAsync(zlayer, environment, http, root, "many", reference, many);
            return
            [
                Line($"zlayer-deploy-one phases of the last run, from the deployment's event: {phases}"),
                Line($"zlayer-deploy-one runs={runs} median={Median(one):F0}ms (the deploy command returned after {Median(accepted):F0}ms) network_none_median={Median(isolated):F0}ms"),
                Line($"zlayer-deploy-many replicas={many} all_running={Ms(all.Running)}"),
            ];
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
            await RunProgramAsync("ip", "link", "delete", "zlbench0");
        }
    }

    /// <summary>
    /// The steps of one deploy as the daemon's events time them (ms after the deployment event):
    /// scheduled, creating (image and bundle ready), starting (network attached, runc created),
    /// running (runc started).
    /// </summary>
    private static async Task<string> PhasesAsync(HttpClient http, string deployment)
    {
        var events = JsonNode.Parse(await http.GetStringAsync(new Uri($"/api/v1/events?deployment={deployment}", UriKind.Relative)))!.AsArray();
        var times = events.Select(e => (Type: e!["type"]!.GetValue<string>(), Time: DateTimeOffset.Parse(e["time"]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();
        var start = times.First().Time;
        return string.Join(" ", times.Select(t => $"{t.Type}=+{(t.Time - start).TotalMilliseconds:F0}ms"));
    }

    /// <summary>
    /// Deploys N replicas, times deploy to all running (and to the deploy command's return: the
    /// CLI's own start and the API round trip), then takes them down and waits until they are gone.
    /// </summary>
    private static async Task<(TimeSpan Running, TimeSpan Answered)> DeployAsync(string zlayer, Dictionary<string, string> environment, HttpClient http, string root, string name, string reference, int replicas, string extra = "")
    {
        var spec = Path.Combine(root, $"{name}.zlayer.yaml");
        await File.WriteAllTextAsync(spec, $"""
            version: v1
            deployment: {name}
            services:
              box:
                runtime: runc
                image: {"{"} name: "{reference}" {"}"}
                scale: {"{"} mode: fixed, replicas: {replicas} {"}"}
                {extra}
            """);
        var sw = Stopwatch.StartNew();
        var answer = await RunProgramAsync(zlayer, environment, "deploy", spec);
        var answered = sw.Elapsed;
        await WaitAsync(async () => Count(await ReplicasAsync(http), "running", null) == replicas, $"{name}: {replicas} running ({answer.Trim()})");
        var elapsed = sw.Elapsed;
        await RunProgramAsync(zlayer, environment, "down", name);
        await WaitAsync(async () => (await ReplicasAsync(http)).Count == 0, $"{name}: gone");
        return (elapsed, answered);
    }
}
