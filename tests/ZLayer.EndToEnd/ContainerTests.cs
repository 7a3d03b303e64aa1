using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;

namespace ZLayer.EndToEnd;

/// <summary>
/// The runc runtime end to end: a real daemon (as root, with runc, conmon and the CNI plugins)
/// pulls a busybox image from a real registry and runs it as containers on its own bridge and
/// subnet, so these tests never meet a real zlayer0.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ContainerTests : IAsyncLifetime
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(90);

    private static readonly ImagePlatform HostPlatform =
        RuntimeInformation.OSArchitecture == Architecture.Arm64 ? ImagePlatform.LinuxArm64V8 : ImagePlatform.LinuxAmd64;

    private readonly DaemonFixture _daemon = new() { Runtime = "runc" };
    private readonly string _bridge = "zlt" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _subnet = $"10.{Random.Shared.Next(200, 250)}.{Random.Shared.Next(0, 255)}.0/24";
    private RegistryServer? _registry;

    private RegistryServer Registry => _registry ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAnonymousAsync();
        var image = new OciImageBuilder(HostPlatform)
            .Layer(l => l.Busybox())
            .Layer(l => l.Directory("www").File("www/index.html", "hello from a container\n"))
            .Cmd("httpd", "-f", "-p", "8080", "-h", "/www")
            .ExposePort(8080)
            .Build();
        using (var upload = new RegistryUpload(_registry))
        {
            await upload.PushAsync(image, "e2e/httpd", "1");
        }

        _daemon.ExtraArgs.AddRange(["--bridge", _bridge, "--container-subnet", _subnet]);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        // The bridge is the only thing a runtime leaves by design (shared by every container).
        System.Diagnostics.Process.Start("ip", ["link", "delete", _bridge])?.WaitForExit();
    }

    private static string Get(JsonObject o, string key) => o[key]?.ToString() ?? "";

    [Fact]
    public async Task Two_httpd_replicas_answer_on_their_container_addresses_and_down_leaves_a_clean_host()
    {
        var deployment = "ctr" + Guid.NewGuid().ToString("N")[..6];
        var spec = _daemon.WriteSpec("web.zlayer.yaml", $$"""
            version: v1
            deployment: {{deployment}}
            services:
              web:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                endpoints: [{ name: http, protocol: http, port: 8080 }]
                health: { start_grace: 0s, interval: 1s, check: { type: tcp, port: 8080 } }
                scale: { mode: fixed, replicas: 2 }
                resources: { memory: 32Mi }
            """);

        var deploy = await _daemon.RunAsync("deploy", spec);
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
        await Eventually.HoldsAsync(
            async () => (await _daemon.ReplicasAsync()).Count(r => Get(r, "state") == "running" && Get(r, "health") == "healthy") == 2,
            Converge,
            "2 healthy container replicas");

        var replicas = await _daemon.ReplicasAsync();
        var addresses = replicas.Select(r => Get(r, "address")).ToList();
        var prefix = _subnet[.._subnet.LastIndexOf('.')] + ".";
        Assert.All(addresses, a => Assert.StartsWith(prefix, a));
        Assert.Equal(2, addresses.Distinct().Count());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var address in addresses)
        {
            Assert.Equal("hello from a container\n", await http.GetStringAsync(new Uri($"http://{address}:8080/index.html")));
        }

        // Usage comes from each container's cgroup; the limit is the service's memory.
        var stats = await _daemon.RunAsync("stats", "web", "-o", "json");
        Assert.True(stats.ExitCode == 0, stats.Stdout + stats.Stderr);
        var readings = JsonNode.Parse(stats.Stdout)!.AsArray();
        Assert.Equal(2, readings.Count);
        Assert.All(readings, r => Assert.InRange(r!["memory_bytes"]!.GetValue<long>(), 1, 64L << 20));
        Assert.All(readings, r => Assert.Equal(32L << 20, r!["memory_limit_bytes"]!.GetValue<long>()));

        // The container sees its own processes only.
        var ps = await _daemon.RunAsync("exec", $"web.1", "--", "ps", "-o", "pid,comm");
        Assert.True(ps.ExitCode == 0, ps.Stdout + ps.Stderr);
        Assert.DoesNotContain("dotnet", ps.Stdout);
        Assert.Contains("httpd", ps.Stdout);

        // Removing the image and collecting unused content keeps what running containers are mounted on.
        var reference = $"{Registry.Host}/e2e/httpd:1";
        Assert.Equal(0, (await _daemon.RunAsync("image", "rm", reference)).ExitCode);
        Assert.Equal(0, (await _daemon.RunAsync("image", "prune")).ExitCode);
        var layers = Directory.EnumerateDirectories(Path.Combine(_daemon.DataDir, "images", "layers", "sha256")).ToList();
        Assert.Equal(2, layers.Count);
        var cat = await _daemon.RunAsync("exec", "web.2", "--", "cat", "/www/index.html");
        Assert.Equal("hello from a container\n", cat.Stdout);

        var down = await _daemon.RunAsync("down", deployment);
        Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).Count == 0, Converge, "replicas removed after down");

        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(_daemon.DataDir, StringComparison.Ordinal));
        Assert.False(Directory.Exists("/run/netns") && Directory.EnumerateFiles("/run/netns", $"zlayer-{deployment}*").Any(), "a network namespace is left");
        var links = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", ["-o", "link", "show", "master", _bridge]) { RedirectStandardOutput = true })!;
        var attached = await links.StandardOutput.ReadToEndAsync();
        await links.WaitForExitAsync();
        Assert.True(attached.Trim().Length == 0, $"veths left on {_bridge}: {attached}");
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_daemon.DataDir, "containers")));
        var pruned = await _daemon.RunAsync("image", "prune");
        Assert.True(pruned.ExitCode == 0, pruned.Stderr);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_daemon.DataDir, "images", "layers", "sha256")));
        Assert.DoesNotContain(
            Directory.EnumerateFiles(Path.Combine(_daemon.DataDir, "cni", "ipam"), "*", SearchOption.AllDirectories),
            f => !Path.GetFileName(f).StartsWith("last_reserved", StringComparison.Ordinal) && Path.GetFileName(f) != "lock");
    }

    [Fact]
    public async Task A_container_finds_another_service_by_name_through_the_node_dns_on_the_gateway()
    {
        await DeployAsync("names.zlayer.yaml", $$"""
            version: v1
            deployment: names{{Guid.NewGuid().ToString("N")[..6]}}
            services:
              web:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                endpoints: [{ name: http, protocol: http, port: 8080 }]
                health: { start_grace: 0s, interval: 1s, check: { type: tcp, port: 8080 } }
                scale: { mode: fixed, replicas: 2 }
              client:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                command: { entrypoint: [sleep, "3600"] }
            """);
        await Eventually.HoldsAsync(
            async () => (await _daemon.ReplicasAsync()).Count(r => Get(r, "state") == "running" && Get(r, "health") == "healthy") == 3,
            Converge,
            "2 healthy web replicas and a client");
        var webAddresses = (await _daemon.ReplicasAsync()).Where(r => Get(r, "service") == "web").Select(r => Get(r, "address")).Order().ToList();

        // From the host: the gateway answers with the replicas' container addresses.
        var gateway = _subnet[.._subnet.LastIndexOf('.')] + ".1";
        await Eventually.HoldsAsync(
            async () => (await DigAsync(gateway, "web.service.local")).SequenceEqual(webAddresses),
            Converge,
            $"dig @{gateway} web.service.local answering {string.Join(", ", webAddresses)}");

        // From a container: its resolv.conf names the node DNS and searches service.local.
        var resolv = await _daemon.RunAsync("exec", "client.1", "--", "cat", "/etc/resolv.conf");
        Assert.Contains($"nameserver {gateway}\n", resolv.Stdout);
        Assert.Contains("search service.local", resolv.Stdout);
        var lookup = await _daemon.RunAsync("exec", "client.1", "--", "busybox", "nslookup", "web.service.local");
        Assert.True(lookup.ExitCode == 0, lookup.Stdout + lookup.Stderr);
        Assert.All(webAddresses, a => Assert.Contains(a, lookup.Stdout));
        var page = await _daemon.RunAsync("exec", "client.1", "--", "wget", "-qO-", "http://web:8080/index.html");
        Assert.True(page.ExitCode == 0, page.Stdout + page.Stderr);
        Assert.Equal("hello from a container\n", page.Stdout);
    }

    private static async Task<List<string>> DigAsync(string server, string name)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dig", ["+short", "+tries=1", "+time=2", $"@{server}", name]) { RedirectStandardOutput = true };
        using var dig = System.Diagnostics.Process.Start(start)!;
        var output = await dig.StandardOutput.ReadToEndAsync();
        await dig.WaitForExitAsync();
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order()];
    }

    private async Task DeployAsync(string name, string yaml)
    {
        var deploy = await _daemon.RunAsync("deploy", _daemon.WriteSpec(name, yaml));
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
    }

    private async Task<string> LogsAsync(string service)
    {
        var logs = await _daemon.RunAsync("logs", service);
        Assert.True(logs.ExitCode == 0, logs.Stdout + logs.Stderr);
        return logs.Stdout;
    }

    [Fact]
    public async Task A_container_runs_with_its_user_workdir_env_and_storage_cannot_touch_masked_paths_and_publishes_ports()
    {
        var host = Directory.CreateDirectory(Path.Combine(_daemon.Root, "shared")).FullName;
        var hostPort = Random.Shared.Next(30000, 40000);
        File.WriteAllText(Path.Combine(host, "from-host"), "host file\n");
        await DeployAsync("conf.zlayer.yaml", $$"""
            version: v1
            deployment: conf{{Guid.NewGuid().ToString("N")[..6]}}
            services:
              probe:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                command:
                  entrypoint: [sh, -c]
                  args: ["id; pwd; echo greeting=$GREETING; cat /data/from-host; echo written > /scratch/f && cat /scratch/f; (echo x > /proc/sysrq-trigger) 2>/dev/null || echo sysrq-denied; (mount -t tmpfs t /mnt) 2>/dev/null || echo mount-denied; echo done; sleep 3600"]
                  workdir: /www
                user: "1234:2345"
                env: { GREETING: hello }
                storage:
                  - { type: bind, source: "{{host}}", target: /data, readonly: true }
                  - { type: tmpfs, target: /scratch, size: 1Mi, mode: "1777" }
              published:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                port_mappings: [{ container_port: 8080, host_port: {{hostPort}} }]
            """);

        await Eventually.HoldsAsync(async () => (await LogsAsync("probe")).Contains("done", StringComparison.Ordinal), Converge, "the probe ran");
        var output = await LogsAsync("probe");
        Assert.Contains("uid=1234 gid=2345", output);
        Assert.Contains("/www\n", output);
        Assert.Contains("greeting=hello", output);
        Assert.Contains("host file", output);
        Assert.Contains("written", output);
        Assert.Contains("sysrq-denied", output);
        Assert.Contains("mount-denied", output);

        // port_mappings publish the container's port on the node, here reached through localhost.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    return await http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/index.html")) == "hello from a container\n";
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            Converge,
            $"the published port {hostPort} answering");
    }

    [Fact]
    public async Task A_replica_over_its_memory_limit_is_reported_killed_by_oom_and_restarted()
    {
        await DeployAsync("oom.zlayer.yaml", $$"""
            version: v1
            deployment: oom{{Guid.NewGuid().ToString("N")[..6]}}
            services:
              hog:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                command: { entrypoint: [sh, -c, "echo started; a=xxxxxxxxxxxxxxxx; while :; do a=$a$a; done"] }
                resources: { memory: 16Mi }
            """);

        await Eventually.HoldsAsync(
            async () => (await _daemon.EventsAsync()).Any(e => (e["message"]?.ToString() ?? "").Contains("out of memory", StringComparison.Ordinal)),
            Converge,
            "an event saying the replica was killed for lack of memory");
        await Eventually.HoldsAsync(
            async () => (await _daemon.ReplicasAsync()).Any(r => r["restarts"]?.GetValue<int>() >= 1),
            Converge,
            "the replica restarted");
    }

    [Fact]
    public async Task A_daemon_killed_with_sigkill_readopts_running_containers_without_restarting_them()
    {
        await DeployAsync("keep.zlayer.yaml", $$"""
            version: v1
            deployment: keep{{Guid.NewGuid().ToString("N")[..6]}}
            services:
              web:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                scale: { mode: fixed, replicas: 2 }
            """);
        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).Count(r => Get(r, "state") == "running") == 2, Converge, "2 running");
        var before = (await _daemon.ReplicasAsync()).ToDictionary(r => Get(r, "replica"), r => Get(r, "runtime_id"));

        _daemon.KillHard();
        await _daemon.StartAsync();

        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).Count(r => Get(r, "state") == "running") == 2, Converge, "2 running after the restart");
        var after = (await _daemon.ReplicasAsync()).ToDictionary(r => Get(r, "replica"), r => r);
        foreach (var (replica, runtimeId) in before)
        {
            Assert.Equal(runtimeId, Get(after[replica], "runtime_id"));
            Assert.Equal(0, after[replica]["restarts"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task A_named_volume_outlives_its_deployment_and_is_removed_only_when_unused()
    {
        var deployment = "vol" + Guid.NewGuid().ToString("N")[..6];
        var volume = deployment + "-data";
        var yaml = $$"""
            version: v1
            deployment: {{deployment}}
            services:
              writer:
                image: { name: "{{Registry.Host}}/e2e/httpd:1" }
                command: { entrypoint: [sh, -c, "echo run >> /data/runs; echo runs=$(wc -l < /data/runs); sleep 3600"] }
                storage: [{ type: named, name: {{volume}}, target: /data }]
            """;
        await DeployAsync("vol.zlayer.yaml", yaml);
        await Eventually.HoldsAsync(async () => (await LogsAsync("writer")).Contains("runs=1", StringComparison.Ordinal), Converge, "the first run wrote to the volume");

        var refused = await _daemon.RunAsync("volume", "rm", volume);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"volume '{volume}' is mounted by a container", refused.Stderr);
        var listed = await _daemon.RunAsync("volume", "ls", "-o", "json");
        var entry = Assert.Single(JsonNode.Parse(listed.Stdout)!.AsArray(), v => Get(v!.AsObject(), "name") == volume)!.AsObject();
        Assert.Equal("True", Get(entry, "in_use"), ignoreCase: true);

        Assert.Equal(0, (await _daemon.RunAsync("down", deployment)).ExitCode);
        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).Count == 0, Converge, "replicas removed after down");
        await DeployAsync("vol.zlayer.yaml", yaml);
        await Eventually.HoldsAsync(async () => (await LogsAsync("writer")).Contains("runs=2", StringComparison.Ordinal), Converge, "the redeployed service sees the volume's earlier content");
        Assert.Equal(0, (await _daemon.RunAsync("down", deployment)).ExitCode);
        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).Count == 0, Converge, "replicas removed after the second down");

        var removed = await _daemon.RunAsync("volume", "rm", volume);
        Assert.True(removed.ExitCode == 0, removed.Stderr);
        Assert.DoesNotContain(JsonNode.Parse((await _daemon.RunAsync("volume", "ls", "-o", "json")).Stdout)!.AsArray(), v => Get(v!.AsObject(), "name") == volume);
        Assert.Contains($"no volume '{volume}'", (await _daemon.RunAsync("volume", "rm", volume)).Stderr);
    }
}
