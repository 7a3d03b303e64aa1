using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Engines;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;

namespace ZLayer.EndToEnd;

/// <summary>
/// `zlayer serve --runtime docker` end to end: a real daemon runs a deployment as containers of a
/// real dockerd (the test's own, on a private socket given as DOCKER_HOST), which pulls the image
/// from a local registry.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DockerRuntimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(90);

    private static readonly ImagePlatform HostPlatform =
        RuntimeInformation.OSArchitecture == Architecture.Arm64 ? ImagePlatform.LinuxArm64V8 : ImagePlatform.LinuxAmd64;

    private readonly DaemonFixture _daemon = new() { Runtime = "docker" };
    private RegistryServer? _registry;
    private DockerdServer? _dockerd;

    private RegistryServer Registry => _registry ?? throw new InvalidOperationException("not started");

    private DockerdServer Dockerd => _dockerd ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAnonymousAsync();
        var image = new OciImageBuilder(HostPlatform)
            .Layer(l => l.Busybox())
            .Layer(l => l.Directory("www").File("www/index.html", "hello from a docker container\n"))
            .Cmd("httpd", "-f", "-p", "8080", "-h", "/www")
            .ExposePort(8080)
            .Build();
        using (var upload = new RegistryUpload(_registry))
        {
            await upload.PushAsync(image, "e2e/httpd", "1");
        }

        _dockerd = await DockerdServer.StartAsync();
        _daemon.DaemonEnvironment["DOCKER_HOST"] = _dockerd.Host;
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        if (_dockerd is not null)
        {
            await _dockerd.DisposeAsync();
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }

    private static string Get(JsonObject o, string key) => o[key]?.ToString() ?? "";

    [Fact]
    public async Task A_deployment_runs_as_docker_containers_on_its_own_network_survives_a_daemon_crash_and_down_removes_it_all()
    {
        var deployment = "dkr" + Guid.NewGuid().ToString("N")[..6];
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
            "2 healthy docker replicas");

        var addresses = (await _daemon.ReplicasAsync()).Select(r => Get(r, "address")).Order().ToList();
        Assert.Equal(2, addresses.Distinct().Count());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var address in addresses)
        {
            Assert.Equal("hello from a docker container\n", await http.GetStringAsync(new Uri($"http://{address}:8080/index.html")));
        }

        var containers = (await Dockerd.CliAsync("ps", "--filter", $"label=zlayer.deployment={deployment}", "--format", "{{.Names}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([$"zlayer-{deployment}.web.1", $"zlayer-{deployment}.web.2"], containers.Order());
        Assert.Contains($"zlayer-{deployment}", await Dockerd.CliAsync("network", "ls", "--format", "{{.Name}}"));

        var stats = await _daemon.RunAsync("stats", "web", "-o", "json");
        Assert.True(stats.ExitCode == 0, stats.Stdout + stats.Stderr);
        Assert.All(JsonNode.Parse(stats.Stdout)!.AsArray(), r => Assert.Equal(32L << 20, r!["memory_limit_bytes"]!.GetValue<long>()));
        var cat = await _daemon.RunAsync("exec", "web.2", "--", "cat", "/www/index.html");
        Assert.Equal("hello from a docker container\n", cat.Stdout);

        // A daemon killed outright finds its containers again by their labels and keeps them.
        _daemon.KillHard();
        await _daemon.StartAsync();
        await Eventually.HoldsAsync(
            async () => (await _daemon.ReplicasAsync()).Count(r => Get(r, "state") == "running" && Get(r, "health") == "healthy") == 2,
            Converge,
            "the 2 replicas re-adopted after a crash");
        Assert.Equal(addresses, (await _daemon.ReplicasAsync()).Select(r => Get(r, "address")).Order());

        var down = await _daemon.RunAsync("down", deployment);
        Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).Count == 0, Converge, "replicas removed after down");
        Assert.Equal("", (await Dockerd.CliAsync("ps", "-a", "--filter", $"label=zlayer.deployment={deployment}", "-q")).Trim());
        Assert.DoesNotContain($"zlayer-{deployment}", await Dockerd.CliAsync("network", "ls", "--format", "{{.Name}}"));
    }

    [Fact]
    public async Task Serve_with_the_docker_runtime_and_no_engine_fails_naming_the_socket()
    {
        var socket = Path.Combine(_daemon.Root, "no-engine.sock");
        var environment = new Dictionary<string, string>(_daemon.Environment) { ["DOCKER_HOST"] = "unix://" + socket };

        var serve = await ZLayerProcess.RunAsync(_daemon.Root, environment,
            "serve", "--data-dir", Path.Combine(_daemon.Root, "other-data"), "--socket", Path.Combine(_daemon.Root, "other.sock"), "--api", "none", "--runtime", "docker");

        Assert.Equal(1, serve.ExitCode);
        Assert.Contains($"the docker runtime cannot run here: there is no Docker engine socket at {socket}", serve.Stdout + serve.Stderr);
    }
}
