using System.Net.Sockets;
using System.Text.Json.Nodes;
using ZLayer.Images;
using ZLayer.Images.Registry;
using ZLayer.Runtime.Docker;
using ZLayer.Runtime.Tests.Runc;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Registry;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>What the docker runtime does beyond the shared contract: networks, mounts, OOM, re-adoption, pulls with logins, and its errors.</summary>
[Collection(DockerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerRuntimeTests(DockerDaemon daemon) : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly string _scope = EngineService.NewScope();
    private DockerRuntime _runtime = null!;

    public Task InitializeAsync()
    {
        _runtime = daemon.NewRuntime(_data.Path, _scope);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var handle in await _runtime.ListAsync())
        {
            await _runtime.StopAsync(handle, 9, TimeSpan.Zero);
            await _runtime.RemoveAsync(handle);
        }

        _runtime.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task TwoReplicas_OnTheDeploymentNetwork_AreReachedByContainerIp_FromTheNodeAndFromEachOther()
    {
        var web = "mkdir -p /www; echo \"hello from $(hostname)\" > /www/index.html; echo serving; exec httpd -f -p 8080 -h /www";
        var first = await StartAsync(Replica("web", 0, web));
        var second = await StartAsync(Replica("web", 1, web));
        await Poll.LogsUntilAsync(_runtime, second, l => l.Any(x => x.Text == "serving"), "the second web server");

        var firstAddress = (await _runtime.InspectAsync(first)).Address;
        var secondAddress = (await _runtime.InspectAsync(second)).Address;
        Assert.NotNull(firstAddress);
        Assert.NotNull(secondAddress);
        Assert.NotEqual(firstAddress, secondAddress);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? fromNode = null;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                fromNode = await http.GetStringAsync($"http://{firstAddress}:8080/");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the first replica to answer on its container IP");
        Assert.Equal("hello from web-0\n", fromNode);

        var byIp = await _runtime.ExecAsync(first, ["wget", "-q", "-O", "-", $"http://{secondAddress}:8080/"], new ExecOptions(TimeSpan.FromSeconds(20)));
        Assert.Equal("hello from web-1\n", byIp.Stdout);
        var byName = await _runtime.ExecAsync(second, ["wget", "-q", "-O", "-", "http://web-0:8080/"], new ExecOptions(TimeSpan.FromSeconds(20)));
        Assert.Equal("hello from web-0\n", byName.Stdout);
    }

    [Fact]
    public async Task Mounts_Environment_User_AndWorkdir_AreAsSpecified()
    {
        using var host = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(host.Path, "config.txt"), "from the host");
        var script = "cat /config/config.txt; echo; echo \"GREETING=$GREETING\"; echo \"uid=$(id -u) cwd=$(pwd)\"; "
            + "grep ' /scratch ' /proc/mounts; grep -q ' /data ' /proc/mounts && echo data-mounted; touch /config/denied 2>/dev/null || echo config-read-only; "
            + "ls -d /anon";
        var spec = Replica("app", 0, script, new Dictionary<string, string> { ["GREETING"] = "hi there" }, service =>
        {
            service.User = "1234:1234";
            service.Command = new CommandSpec { Workdir = "/tmp" };
            service.Storage =
            [
                new StorageSpec { Type = StorageType.Bind, Source = host.Path, Target = "/config", Readonly = true },
                new StorageSpec { Type = StorageType.Named, Name = "app-data", Target = "/data" },
                new StorageSpec { Type = StorageType.Tmpfs, Target = "/scratch", Size = "8Mi", Mode = new PermissionMode(Convert.ToUInt32("1777", 8)) },
                new StorageSpec { Type = StorageType.Anonymous, Target = "/anon" },
            ];
        });

        // The agent resolves command.workdir into the launch spec's working directory.
        var handle = await StartAsync(spec with { WorkingDirectory = "/tmp" });

        var state = await _runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        var output = (await ReadLogsAsync(handle)).Select(l => l.Text).ToList();
        Assert.True(state.ExitCode == 0, string.Join('\n', output));
        Assert.Contains("from the host", output);
        Assert.Contains("GREETING=hi there", output);
        Assert.Contains("uid=1234 cwd=/tmp", output);
        Assert.Contains(output, l => l.StartsWith("tmpfs /scratch tmpfs", StringComparison.Ordinal) && l.Contains("size=8192k", StringComparison.Ordinal));
        Assert.Contains("config-read-only", output);
        Assert.Contains("/anon", output);
        Assert.Contains("data-mounted", output);
        Assert.Contains("app-data", _runtime.VolumesInUse());

        await _runtime.RemoveAsync(handle);

        Assert.DoesNotContain("app-data", _runtime.VolumesInUse());
        Assert.Equal("app-data", Assert.Single(_runtime.Volumes.List()).Name);
    }

    [Fact]
    public async Task Security_Limits_AndSysctls_AreAppliedByTheEngine()
    {
        var script = "grep CapEff /proc/self/status; echo \"nofile=$(ulimit -n)\"; touch /rootfs-file 2>/dev/null || echo rootfs-read-only; "
            + "echo \"port_start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)\"; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null";
        var handle = await StartAsync(Replica("locked", 0, script, configure: service =>
        {
            service.CapDrop = ["ALL"];
            service.Capabilities = ["NET_BIND_SERVICE"];
            service.ReadOnlyRootFs = true;
            service.Ulimits = new Dictionary<string, UlimitSpec> { ["nofile"] = new UlimitSpec { Soft = 1000, Hard = 1000 } };
            service.Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_unprivileged_port_start"] = "0" };
            service.Resources = new ResourcesSpec { PidsLimit = 50 };
        }));

        await _runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        var output = (await ReadLogsAsync(handle)).Select(l => l.Text).ToList();

        // Bit 10 is CAP_NET_BIND_SERVICE, the one capability left.
        Assert.Contains("CapEff:\t0000000000000400", output);
        Assert.Contains("nofile=1000", output);
        Assert.Contains("rootfs-read-only", output);
        Assert.Contains("port_start=0", output);
        Assert.Contains("50", output);
    }

    [Fact]
    public async Task AnInvalidSpec_IsRefusedInTheRuncRuntimesWords_BeforeTheEngineIsAsked()
    {
        var spec = Replica("bad", 0, "true", configure: s => s.Sysctls = new Dictionary<string, string> { ["kernel.hostname"] = "x" });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(spec));

        Assert.Contains("sysctls: 'kernel.hostname' is not namespaced", error.Message);
        Assert.Empty(await _runtime.ListAsync());
    }

    [Fact]
    public async Task NamedVolume_OutlivesItsContainer_AndTheNextReplicaSeesItsContent()
    {
        var volume = new StorageSpec { Type = StorageType.Named, Name = "shared", Target = "/data" };
        var writer = await StartAsync(Replica("db", 0, "echo written-before > /data/file", configure: s => s.Storage = [volume]));
        await _runtime.WaitAsync(writer).WaitAsync(Poll.DefaultTimeout);
        await _runtime.RemoveAsync(writer);

        var reader = await StartAsync(Replica("db", 0, "cat /data/file", configure: s => s.Storage = [volume]));
        await _runtime.WaitAsync(reader).WaitAsync(Poll.DefaultTimeout);

        Assert.Contains(await ReadLogsAsync(reader), l => l.Text == "written-before");
    }

    [Fact]
    public async Task AReplicaOverItsMemoryLimit_IsReportedAsKilledForOutOfMemory()
    {
        var handle = await StartAsync(Replica("hog", 0, "a=0123456789; while :; do a=\"$a$a\"; done", configure: s => s.Resources = new ResourcesSpec
        {
            Memory = new MemorySize(16L << 20, "16Mi"),
            MemorySwap = "16Mi",
        }));

        var state = await _runtime.WaitAsync(handle).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RuntimeStatus.Exited, state.Status);
        Assert.True(state.OomKilled, $"exit {state.ExitCode}, message {state.Message}");
        Assert.Equal(137, state.ExitCode);
        Assert.Contains("out of memory", state.Message);
    }

    [Fact]
    public async Task AFreshRuntimeOfTheSameScope_ReadoptsRunningReplicas_AndCanStopThem()
    {
        var spec = Replica("api", 2, "echo up; sleep 300") with
        {
            Labels = new Dictionary<string, string> { ["zlayer.spec-hash"] = "abc123", ["zlayer.port.http"] = "8080" },
        };
        var original = await StartAsync(spec);
        await Poll.LogsUntilAsync(_runtime, original, l => l.Any(x => x.Text == "up"), "the replica to run");

        using var restarted = daemon.NewRuntime(_data.Path, _scope);
        var adopted = Assert.Single(await restarted.ListAsync());
        using var other = daemon.NewRuntime(_data.Path);

        Assert.Equal(original.ReplicaId, adopted.ReplicaId);
        Assert.Equal(original.RuntimeId, adopted.RuntimeId);
        Assert.Equal("docker", adopted.Runtime);
        Assert.Equal("abc123", adopted.Labels["zlayer.spec-hash"]);
        Assert.Equal("8080", adopted.Labels["zlayer.port.http"]);
        Assert.Equal("deploy", adopted.Labels["zlayer.deployment"]);
        Assert.Equal("api", adopted.Labels["zlayer.service"]);
        Assert.Equal("2", adopted.Labels["zlayer.index"]);
        Assert.Empty(await other.ListAsync());
        Assert.Equal(RuntimeStatus.Running, (await restarted.InspectAsync(adopted)).Status);
        Assert.Contains(await ReadLogsAsync(adopted, restarted), l => l.Text == "up");

        await restarted.StopAsync(adopted, 15, TimeSpan.FromSeconds(10));

        Assert.Equal(RuntimeStatus.Exited, (await _runtime.InspectAsync(original)).Status);
    }

    [Fact]
    public async Task TheDeploymentNetwork_IsCreatedWithTheFirstReplica_AndRemovedWithTheLast()
    {
        var network = _runtime.NetworkOf("deploy");
        var first = await _runtime.CreateAsync(Replica("svc", 0, "sleep 300"));
        var second = await _runtime.CreateAsync(Replica("svc", 1, "sleep 300"));
        Assert.True(await NetworkExistsAsync(network));

        await _runtime.RemoveAsync(first);
        Assert.True(await NetworkExistsAsync(network), "the network went while a replica still needs it");

        await _runtime.RemoveAsync(second);
        Assert.False(await NetworkExistsAsync(network), "the network outlived the deployment's last replica");
    }

    [Fact]
    public async Task PortMappings_ArePublishedOnTheNode()
    {
        var handle = await StartAsync(Replica("web", 0, "mkdir -p /www; echo published > /www/index.html; exec httpd -f -p 80 -h /www", configure: s =>
            s.PortMappings = [new PortMappingSpec { ContainerPort = 80, HostIp = "127.0.0.1" }]));

        var port = (await daemon.CliAsync("port", handle.RuntimeId, "80/tcp")).Trim().Split(':')[^1];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? body = null;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                body = await http.GetStringAsync($"http://127.0.0.1:{port}/");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"the published port {port} to answer");
        Assert.Equal("published\n", body);
    }

    [Fact]
    public async Task Stats_ReportMemoryAgainstTheLimit()
    {
        var handle = await StartAsync(Replica("app", 0, "sleep 300", configure: s => s.Resources = new ResourcesSpec { Memory = new MemorySize(64L << 20, "64Mi") }));

        var usage = await _runtime.StatsAsync(handle);

        Assert.NotNull(usage);
        Assert.Equal(64L * 1024 * 1024, usage.MemoryLimitBytes);
        Assert.InRange(usage.MemoryBytes, 1, 64L * 1024 * 1024);
        Assert.InRange(usage.CpuPercent, 0, 400);
    }

    [Fact]
    public async Task Exec_WithATty_ReturnsTheTerminalOutputOnStdout()
    {
        var handle = await StartAsync(Replica("app", 0, "sleep 300"));

        var result = await _runtime.ExecAsync(handle, ["sh", "-c", "test -t 1 && echo terminal; echo err >&2"], new ExecOptions(TimeSpan.FromSeconds(20), Tty: true));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("terminal\r\nerr\r\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task AnEngineError_NamesTheOperationAndTheReplica()
    {
        var handle = await _runtime.CreateAsync(Replica("app", 0, "unused", configure: s => s.Command = new CommandSpec { Entrypoint = ["/no/such/program"] }) with { Command = ["/no/such/program"] });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.StartAsync(handle));

        Assert.Contains($"starting replica {handle.ReplicaId}", error.Message);
        Assert.Contains("/no/such/program", error.Message);
    }

    [Fact]
    public async Task APullPolicyOfNever_ForAnImageTheEngineLacks_IsRefusedByName()
    {
        var spec = Replica("app", 0, "true", configure: s => s.Image = new ImageSpec { Name = ImageReference.Parse("127.0.0.1:9/none/such:1"), PullPolicy = PullPolicy.Never });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(spec));

        Assert.Contains("127.0.0.1:9/none/such:1", error.Message);
        Assert.Contains("pull_policy is never", error.Message);
    }

    [Fact]
    public async Task Pulls_UseTheNodesRegistryLogin_AndAFailedPullSaysWhy()
    {
        const string user = "puller";
        const string password = "s3cret-pw";
        await using var registry = await RegistryServer.StartBasicAuthAsync(user, password);
        var image = ImageReference.Parse($"{registry.Host}/private/busybox:1");
        var login = RegistrySettings.Empty.With(registry.Host, h => h with { Credential = new RegistryCredential(user, password) });
        using (var scratch = new TempDirectory())
        using (var images = new ImageService(Path.Combine(scratch.Path, "data"), _ => login, dockerConfigPath: Path.Combine(scratch.Path, "none.json")))
        {
            await images.PushAsync(await BusyboxImage.ImportAsync(images, scratch.Path), image);
        }

        var spec = Replica("private", 0, "echo pulled", configure: s => s.Image = new ImageSpec { Name = image, PullPolicy = PullPolicy.Always });
        var anonymous = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(spec));
        Assert.Contains($"pulling image {image}", anonymous.Message);
        Assert.Contains("no basic auth credentials", anonymous.Message);

        using var authenticated = new DockerRuntime(daemon.Engine, _runtime.Volumes, () => login, _scope, ownsEngine: false);
        var handle = await authenticated.CreateAsync(spec);
        await authenticated.StartAsync(handle);
        await authenticated.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        Assert.Contains(await ReadLogsAsync(handle), l => l.Text == "pulled");
    }

    [Fact]
    public async Task AMissingSocket_IsAnErrorNamingIt()
    {
        var path = Path.Combine(_data.Path, "absent.sock");

        var error = await Assert.ThrowsAsync<RuntimeException>(() => DockerEngine.ConnectAsync(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public async Task ASocketNobodyListensOn_IsAnErrorNamingIt()
    {
        // .NET unlinks a socket file when the socket closes; a second name for it stays, with nobody behind it.
        var path = Path.Combine(_data.Path, "stale.sock");
        var bound = Path.Combine(_data.Path, "bound.sock");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            using var link = System.Diagnostics.Process.Start("ln", [bound, path]);
            await link.WaitForExitAsync();
        }

        var error = await Assert.ThrowsAsync<RuntimeException>(() => DockerEngine.ConnectAsync(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheEngineNegotiates_AnApiVersionOfAtLeast141()
    {
        Assert.True(daemon.Engine.ApiVersion >= new Version(1, 41));
        var version = JsonNode.Parse(await daemon.CliAsync("version", "--format", "{{json .Server}}"))!;
        Assert.Contains(version["Version"]!.GetValue<string>(), daemon.Engine.Description);
    }

    private ReplicaLaunchSpec Replica(string service, int index, string script, IReadOnlyDictionary<string, string>? environment = null, Action<ServiceSpec>? configure = null) =>
        daemon.Shell($"deploy.{service}.{index}", script, environment, configure) with { Deployment = "deploy", ServiceName = service, Index = index };

    private async Task<ReplicaHandle> StartAsync(ReplicaLaunchSpec spec)
    {
        var handle = await _runtime.CreateAsync(spec);
        await _runtime.StartAsync(handle);
        return handle;
    }

    private async Task<List<LogLine>> ReadLogsAsync(ReplicaHandle handle, IContainerRuntime? runtime = null)
    {
        var lines = new List<LogLine>();
        await foreach (var line in (runtime ?? _runtime).LogsAsync(handle, new LogOptions()))
        {
            lines.Add(line);
        }

        return lines;
    }

    private async Task<bool> NetworkExistsAsync(string name) =>
        (await daemon.CliAsync("network", "ls", "--format", "{{.Name}}")).Split('\n').Contains(name);
}
