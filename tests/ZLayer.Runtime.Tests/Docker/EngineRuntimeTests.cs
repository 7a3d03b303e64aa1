using System.Net.Sockets;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Docker;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>
/// What the docker runtime does beyond the shared contract: networks, mounts, OOM, re-adoption,
/// pulls with logins, and its errors; run against each engine it speaks to. Checks from outside
/// the runtime go to the engine's API directly.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class EngineRuntimeTests(EngineService daemon) : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    protected string Scope { get; } = EngineService.NewScope();

    protected DockerRuntime Runtime { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Runtime = daemon.NewRuntime(_data.Path, Scope);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var handle in await Runtime.ListAsync())
        {
            await Runtime.StopAsync(handle, 9, TimeSpan.Zero);
            await Runtime.RemoveAsync(handle);
        }

        Runtime.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task TwoReplicas_OnTheDeploymentNetwork_AreReachedByContainerIp_FromTheNodeAndFromEachOther()
    {
        var web = "mkdir -p /www; echo \"hello from $(hostname)\" > /www/index.html; echo serving; exec httpd -f -p 8080 -h /www";
        var first = await StartAsync(Replica("web", 0, web));
        var second = await StartAsync(Replica("web", 1, web));
        await Poll.LogsUntilAsync(Runtime, second, l => l.Any(x => x.Text == "serving"), "the second web server");

        var firstAddress = (await Runtime.InspectAsync(first)).Address;
        var secondAddress = (await Runtime.InspectAsync(second)).Address;
        Assert.NotNull(firstAddress);
        Assert.NotNull(secondAddress);
        Assert.NotEqual(firstAddress, secondAddress);

        var fromNode = await GetWhenAnsweringAsync($"http://{firstAddress}:8080/", "the first replica to answer on its container IP");
        Assert.Equal("hello from web-0\n", fromNode);

        var byIp = await Runtime.ExecAsync(first, ["wget", "-q", "-O", "-", $"http://{secondAddress}:8080/"], new ExecOptions(TimeSpan.FromSeconds(20)));
        Assert.Equal("hello from web-1\n", byIp.Stdout);
        var byName = await Runtime.ExecAsync(second, ["wget", "-q", "-O", "-", "http://web-0:8080/"], new ExecOptions(TimeSpan.FromSeconds(20)));
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

        var state = await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        var output = (await ReadLogsAsync(handle)).Select(l => l.Text).ToList();
        Assert.True(state.ExitCode == 0, string.Join('\n', output));
        Assert.Contains("from the host", output);
        Assert.Contains("GREETING=hi there", output);
        Assert.Contains("uid=1234 cwd=/tmp", output);
        Assert.Contains(output, l => l.StartsWith("tmpfs /scratch tmpfs", StringComparison.Ordinal) && l.Contains("size=8192k", StringComparison.Ordinal));
        Assert.Contains("config-read-only", output);
        Assert.Contains("/anon", output);
        Assert.Contains("data-mounted", output);
        Assert.Contains("app-data", Runtime.VolumesInUse());

        await Runtime.RemoveAsync(handle);

        Assert.DoesNotContain("app-data", Runtime.VolumesInUse());
        Assert.Equal("app-data", Assert.Single(Runtime.Volumes.List()).Name);
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
            // nproc too: Podman adds its own default (4194304) for a limit the spec leaves out, beyond what some hosts allow.
            service.Ulimits = new Dictionary<string, UlimitSpec> { ["nofile"] = new UlimitSpec { Soft = 1000, Hard = 1000 }, ["nproc"] = new UlimitSpec { Soft = 4096, Hard = 4096 } };
            service.Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_unprivileged_port_start"] = "0" };
            service.Resources = new ResourcesSpec { PidsLimit = 50 };
        }));

        await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        var output = (await ReadLogsAsync(handle)).Select(l => l.Text).ToList();

        // Bit 10 is CAP_NET_BIND_SERVICE, the one capability left.
        Assert.Contains("CapEff:\t0000000000000400", output);
        Assert.Contains("nofile=1000", output);
        Assert.Contains("rootfs-read-only", output);
        Assert.Contains("port_start=0", output);
        Assert.Contains("50", output);
    }

    [Fact]
    public async Task TheNodeDns_IsTheContainersResolver_UnlessTheServiceNamesItsOwn()
    {
        using var data = new TempDirectory();
        using var runtime = daemon.NewRuntime(data.Path, EngineService.NewScope(), new ZLayer.Runtime.Runc.NodeResolver(["10.240.0.1"], ["service.local"]));
        var node = await runtime.CreateAsync(Replica("resolved", 0, "true"));
        var own = await runtime.CreateAsync(Replica("resolved", 1, "true", configure: s => s.Dns.Add("192.0.2.53")));
        try
        {
            var nodeConfig = await HostConfigAsync(runtime, node);
            Assert.Equal(["10.240.0.1"], Strings(nodeConfig["Dns"]));
            Assert.Equal(["service.local"], Strings(nodeConfig["DnsSearch"]));
            var ownConfig = await HostConfigAsync(runtime, own);
            Assert.Equal(["192.0.2.53"], Strings(ownConfig["Dns"]));
            Assert.Empty(Strings(ownConfig["DnsSearch"]));
        }
        finally
        {
            await runtime.RemoveAsync(node);
            await runtime.RemoveAsync(own);
        }
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> HostConfigAsync(DockerRuntime runtime, ReplicaHandle handle)
    {
        var reply = await runtime.Engine.SendAsync(HttpMethod.Get, $"/containers/{handle.RuntimeId}/json", null, "inspecting", CancellationToken.None);
        return reply.Body!["HostConfig"]!;
    }

    private static List<string> Strings(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonArray array ? [.. array.Select(n => (string)n!)] : [];

    [Fact]
    public async Task AnInvalidSpec_IsRefusedInTheRuncRuntimesWords_BeforeTheEngineIsAsked()
    {
        var spec = Replica("bad", 0, "true", configure: s => s.Sysctls = new Dictionary<string, string> { ["kernel.hostname"] = "x" });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => Runtime.CreateAsync(spec));

        Assert.Contains("sysctls: 'kernel.hostname' is not namespaced", error.Message);
        Assert.Empty(await Runtime.ListAsync());
    }

    [Fact]
    public async Task NamedVolume_OutlivesItsContainer_AndTheNextReplicaSeesItsContent()
    {
        var volume = new StorageSpec { Type = StorageType.Named, Name = "shared", Target = "/data" };
        var writer = await StartAsync(Replica("db", 0, "echo written-before > /data/file", configure: s => s.Storage = [volume]));
        await Runtime.WaitAsync(writer).WaitAsync(Poll.DefaultTimeout);
        await Runtime.RemoveAsync(writer);

        var reader = await StartAsync(Replica("db", 0, "cat /data/file", configure: s => s.Storage = [volume]));
        await Runtime.WaitAsync(reader).WaitAsync(Poll.DefaultTimeout);

        Assert.Contains(await ReadLogsAsync(reader), l => l.Text == "written-before");
    }

    [Fact]
    public async Task AFreshRuntimeOfTheSameScope_ReadoptsRunningReplicas_AndCanStopThem()
    {
        var spec = Replica("api", 2, "echo up; sleep 300") with
        {
            Labels = new Dictionary<string, string> { ["zlayer.spec-hash"] = "abc123", ["zlayer.port.http"] = "8080" },
        };
        var original = await StartAsync(spec);
        await Poll.LogsUntilAsync(Runtime, original, l => l.Any(x => x.Text == "up"), "the replica to run");

        using var restarted = daemon.NewRuntime(_data.Path, Scope);
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

        Assert.Equal(RuntimeStatus.Exited, (await Runtime.InspectAsync(original)).Status);
    }

    [Fact]
    public async Task TheDeploymentNetwork_IsCreatedWithTheFirstReplica_AndRemovedWithTheLast()
    {
        var network = Runtime.NetworkOf("deploy");
        var first = await Runtime.CreateAsync(Replica("svc", 0, "sleep 300"));
        var second = await Runtime.CreateAsync(Replica("svc", 1, "sleep 300"));
        Assert.True(await NetworkExistsAsync(network));

        await Runtime.RemoveAsync(first);
        Assert.True(await NetworkExistsAsync(network), "the network went while a replica still needs it");

        await Runtime.RemoveAsync(second);
        Assert.False(await NetworkExistsAsync(network), "the network outlived the deployment's last replica");
    }

    [Fact]
    public async Task PortMappings_ArePublishedOnTheNode()
    {
        var handle = await StartAsync(Replica("web", 0, "mkdir -p /www; echo published > /www/index.html; exec httpd -f -p 80 -h /www", configure: s =>
            s.PortMappings = [new PortMappingSpec { ContainerPort = 80, HostIp = "127.0.0.1" }]));

        var inspect = await EngineJsonAsync($"/containers/{handle.RuntimeId}/json");
        var port = inspect["NetworkSettings"]!["Ports"]!["80/tcp"]!.AsArray()[0]!["HostPort"]!.GetValue<string>();
        var body = await GetWhenAnsweringAsync($"http://127.0.0.1:{port}/", $"the published port {port} to answer");
        Assert.Equal("published\n", body);
    }

    [Fact]
    public async Task Stats_ReportMemoryAgainstTheLimit()
    {
        var handle = await StartAsync(Replica("app", 0, "sleep 300", configure: s => s.Resources = new ResourcesSpec { Memory = new MemorySize(64L << 20, "64Mi") }));

        var usage = await Runtime.StatsAsync(handle);

        Assert.NotNull(usage);
        Assert.Equal(64L * 1024 * 1024, usage.MemoryLimitBytes);
        Assert.InRange(usage.MemoryBytes, 1, 64L * 1024 * 1024);
        Assert.InRange(usage.CpuPercent, 0, 400);
    }

    [Fact]
    public async Task Exec_WithATty_ReturnsTheTerminalOutputOnStdout()
    {
        var handle = await StartAsync(Replica("app", 0, "sleep 300"));

        var result = await Runtime.ExecAsync(handle, ["sh", "-c", "test -t 1 && echo terminal; echo err >&2"], new ExecOptions(TimeSpan.FromSeconds(20), Tty: true));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("terminal\r\nerr\r\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task InteractiveExecWithATty_TellsTheCommandItsTerminalType_AsDockersCliDoes()
    {
        var handle = await StartAsync(Replica("app", 0, "sleep 300"));

        await using var session = await Runtime.StartExecAsync(handle, ["sh", "-c", "echo term:$TERM"], new Exec.ExecSessionOptions(Tty: true));
        var output = new StreamCapture(session.Output);

        Assert.Equal(0, await session.WaitAsync(CancellationToken.None).WaitAsync(Poll.DefaultTimeout));
        Assert.Equal("term:xterm\r\n", await output.EndAsync());
    }

    [Fact]
    public async Task InteractiveExecWithoutATty_DeliversOutputManyTimesItsBuffering_WholeAndInOrder()
    {
        var handle = await StartAsync(Replica("app", 0, "sleep 300"));

        await using var session = await Runtime.StartExecAsync(handle, ["sh", "-c", "seq 1 200000; echo done >&2"], new Exec.ExecSessionOptions(Tty: false));
        var stdout = new StreamCapture(session.Output);
        var stderr = new StreamCapture(session.Error!);

        Assert.Equal(0, await session.WaitAsync(CancellationToken.None).WaitAsync(Poll.DefaultTimeout));
        var lines = (await stdout.EndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, 200000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines);
        Assert.Equal("done\n", await stderr.EndAsync());
    }

    [Fact]
    public async Task InteractiveExec_InAReplicaThatIsNotRunning_IsRefusedNamingTheReplica()
    {
        var handle = await Runtime.CreateAsync(Replica("app", 0, "sleep 300"));

        var error = await Assert.ThrowsAsync<RuntimeException>(() => Runtime.StartExecAsync(handle, ["true"], new Exec.ExecSessionOptions(Tty: false)));

        Assert.Contains($"exec in replica {handle.ReplicaId}", error.Message);
    }

    [Fact]
    public async Task AnEngineError_NamesTheOperationAndTheReplica()
    {
        var handle = await Runtime.CreateAsync(Replica("app", 0, "unused", configure: s => s.Command = new CommandSpec { Entrypoint = ["/no/such/program"] }) with { Command = ["/no/such/program"] });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => Runtime.StartAsync(handle));

        Assert.Contains($"starting replica {handle.ReplicaId}", error.Message);
        Assert.Contains("/no/such/program", error.Message);
    }

    [Fact]
    public async Task APullPolicyOfNever_ForAnImageTheEngineLacks_IsRefusedByName()
    {
        var spec = Replica("app", 0, "true", configure: s => s.Image = new ImageSpec { Name = ImageReference.Parse("127.0.0.1:9/none/such:1"), PullPolicy = PullPolicy.Never });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => Runtime.CreateAsync(spec));

        Assert.Contains("127.0.0.1:9/none/such:1", error.Message);
        Assert.Contains("pull_policy is never", error.Message);
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
        var version = await EngineJsonAsync("/version");
        Assert.Contains(version["Version"]!.GetValue<string>(), daemon.Engine.Description);
    }

    protected ReplicaLaunchSpec Replica(string service, int index, string script, IReadOnlyDictionary<string, string>? environment = null, Action<ServiceSpec>? configure = null) =>
        daemon.Shell($"deploy.{service}.{index}", script, environment, configure) with { Deployment = "deploy", ServiceName = service, Index = index };

    protected async Task<ReplicaHandle> StartAsync(ReplicaLaunchSpec spec)
    {
        var handle = await Runtime.CreateAsync(spec);
        await Runtime.StartAsync(handle);
        return handle;
    }

    protected async Task<List<LogLine>> ReadLogsAsync(ReplicaHandle handle, IContainerRuntime? runtime = null)
    {
        var lines = new List<LogLine>();
        await foreach (var line in (runtime ?? Runtime).LogsAsync(handle, new LogOptions()))
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>The body of a GET once the server answers (a container's server starts a moment after the container).</summary>
    private static async Task<string> GetWhenAnsweringAsync(string url, string what)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? body = null;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                body = await http.GetStringAsync(url);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, what);
        return body!;
    }

    private async Task<bool> NetworkExistsAsync(string name) =>
        (await EngineJsonAsync("/networks")).AsArray().Any(n => n!["Name"]!.GetValue<string>() == name);

    private async Task<JsonNode> EngineJsonAsync(string path)
    {
        using var http = daemon.Server.CreateHttpClient();
        return JsonNode.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative)))!;
    }
}
