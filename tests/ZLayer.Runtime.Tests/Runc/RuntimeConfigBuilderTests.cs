using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class RuntimeConfigBuilderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public RuntimeConfigBuilderTests()
    {
        Rootfs = Path.Combine(_directory.Path, "rootfs");
        BundleFixtures.WriteAccounts(Rootfs);
    }

    private string Rootfs { get; }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_default_replica_gets_a_complete_confined_config()
    {
        var config = Build(new ServiceSpec { Name = "web" });

        RuntimeConfigValidator.AssertValid(config);
        Assert.Equal("1.0.2", (string)config["ociVersion"]!);
        Assert.Equal(Rootfs, (string)config["root"]!["path"]!);
        Assert.False((bool)config["root"]!["readonly"]!);
        Assert.Equal("web-0", (string)config["hostname"]!);
        var process = config["process"]!;
        Assert.Equal(["/bin/sh"], Strings(process["args"]));
        Assert.Equal("/", (string)process["cwd"]!);
        Assert.Equal((0u, 0u), ((uint)process["user"]!["uid"]!, (uint)process["user"]!["gid"]!));
        Assert.True((bool)process["noNewPrivileges"]!);
        Assert.False((bool)process["terminal"]!);
        Assert.Equal(14, Strings(process["capabilities"]!["bounding"]).Count);
        Assert.Equal(Strings(process["capabilities"]!["bounding"]), Strings(process["capabilities"]!["effective"]));
        Assert.Equal(Strings(process["capabilities"]!["bounding"]), Strings(process["capabilities"]!["permitted"]));
        Assert.Empty(Strings(process["capabilities"]!["inheritable"]));
        Assert.Empty(Strings(process["capabilities"]!["ambient"]));
        Assert.Contains(((JsonArray)process["rlimits"]!), r => (string)r!["type"]! == "RLIMIT_NOFILE");
        var linux = config["linux"]!;
        Assert.Equal(RuntimeConfigBuilder.MaskedPaths, Strings(linux["maskedPaths"]));
        Assert.Equal(RuntimeConfigBuilder.ReadonlyPaths, Strings(linux["readonlyPaths"]));
        Assert.NotNull(linux["seccomp"]);
        Assert.Equal("/zlayer-test/demo.web.0", (string)linux["cgroupsPath"]!);
        Assert.Equal(["pid", "ipc", "uts", "mount", "network"], ((JsonArray)linux["namespaces"]!).Select(n => (string)n!["type"]!));
        Assert.Null(linux["namespaces"]![4]!["path"]);
        Assert.Equal(
            ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"],
            ((JsonArray)config["mounts"]!).Select(m => (string)m!["destination"]!));
        Assert.Contains("ro", Strings(config["mounts"]![5]!["options"]));
        Assert.Equal("demo.web.0", (string)config["annotations"]!["zlayer.replica"]!);
        Assert.Equal("demo", (string)config["annotations"]!["zlayer.deployment"]!);
        Assert.Equal("web", (string)config["annotations"]!["zlayer.service"]!);
        Assert.Equal("0", (string)config["annotations"]!["zlayer.index"]!);
    }

    [Fact]
    public void Privileged_has_no_masks_no_seccomp_no_new_privileges_off_and_all_devices()
    {
        var config = Build(new ServiceSpec { Name = "web", Privileged = true });

        var linux = config["linux"]!;
        Assert.Null(linux["seccomp"]);
        Assert.Null(linux["maskedPaths"]);
        Assert.Null(linux["readonlyPaths"]);
        Assert.False((bool)config["process"]!["noNewPrivileges"]!);
        Assert.Equal("""[{"allow":true,"access":"rwm"}]""", linux["resources"]!["devices"]!.ToJsonString());
        Assert.Contains((JsonArray)linux["devices"]!, d => (string)d!["path"]! == "/dev/null");
        Assert.Contains("rw", Strings(config["mounts"]![5]!["options"]));
    }

    [Fact]
    public void Security_options_turn_off_seccomp_and_system_paths_and_set_no_new_privileges()
    {
        var config = Build(new ServiceSpec { Name = "web", SecurityOpt = ["seccomp=unconfined", "systempaths=unconfined", "no-new-privileges:false", "label=disable"] });

        Assert.Null(config["linux"]!["seccomp"]);
        Assert.Null(config["linux"]!["maskedPaths"]);
        Assert.False((bool)config["process"]!["noNewPrivileges"]!);
        Assert.Equal("service 'web': security_opt 'apparmor=docker-default' is not supported by the runc runtime (supported: seccomp=unconfined, no-new-privileges[:true|false], systempaths=unconfined, apparmor=unconfined, label=disable)",
            Error(new ServiceSpec { Name = "web", SecurityOpt = ["apparmor=docker-default"] }));
        Assert.Equal("service 'web': security_opt 'seccomp=/etc/profile.json': only seccomp=unconfined is supported; the default profile applies otherwise",
            Error(new ServiceSpec { Name = "web", SecurityOpt = ["seccomp=/etc/profile.json"] }));
    }

    [Fact]
    public void Workdir_read_only_root_tty_ulimits_oom_and_sysctls()
    {
        var config = Build(new ServiceSpec
        {
            Name = "web",
            Command = new CommandSpec { Workdir = "/srv//app/" },
            ReadOnlyRootFs = true,
            Tty = true,
            Ulimits = new Dictionary<string, UlimitSpec>
            {
                ["nproc"] = new() { Soft = 100 },
                ["RLIMIT_CORE"] = new() { Hard = 0 },
                ["memlock"] = new() { Soft = -1, Hard = -1 },
            },
            Resources = new ResourcesSpec { OomScoreAdj = 300 },
            Sysctls = new Dictionary<string, string> { ["net.core.somaxconn"] = "1024" },
        });

        var process = config["process"]!;
        Assert.Equal("/srv/app", (string)process["cwd"]!);
        Assert.True((bool)config["root"]!["readonly"]!);
        Assert.True((bool)process["terminal"]!);
        Assert.Equal(300, (int)process["oomScoreAdj"]!);
        Assert.Equal(
            """[{"type":"RLIMIT_NPROC","hard":100,"soft":100},{"type":"RLIMIT_CORE","hard":0,"soft":0},{"type":"RLIMIT_MEMLOCK","hard":18446744073709551615,"soft":18446744073709551615},{"type":"RLIMIT_NOFILE","hard":""" + NodeLimits.DefaultNofile() + ""","soft":""" + NodeLimits.DefaultNofile() + "}]",
            process["rlimits"]!.ToJsonString());
        Assert.Equal("""{"net.core.somaxconn":"1024"}""", config["linux"]!["sysctl"]!.ToJsonString());
    }

    [Theory]
    [InlineData("/app", null, "/app")]
    [InlineData(null, "/usr/src/app", "/usr/src/app")]
    [InlineData(null, "data", "/data")]
    [InlineData(null, null, "/")]
    public void Cwd_is_workdir_else_image_workdir_else_root(string? workdir, string? imageWorkdir, string expected)
    {
        var config = Build(new ServiceSpec { Name = "web", Command = workdir is null ? null : new CommandSpec { Workdir = workdir } },
            BundleFixtures.Image(cmd: ["/bin/sh"], workingDir: imageWorkdir));

        Assert.Equal(expected, (string)config["process"]!["cwd"]!);
    }

    [Fact]
    public void Bad_fields_are_precise_errors()
    {
        Assert.Equal("service 'web': command.workdir 'app' must be an absolute path inside the container",
            Error(new ServiceSpec { Name = "web", Command = new CommandSpec { Workdir = "app" } }));
        Assert.Equal("service 'web': ulimits: unknown limit 'files' (expected one of as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)",
            Error(new ServiceSpec { Name = "web", Ulimits = new Dictionary<string, UlimitSpec> { ["files"] = new() { Soft = 1 } } }));
        Assert.Equal("service 'web': ulimits.nofile: soft 10 is above hard 5",
            Error(new ServiceSpec { Name = "web", Ulimits = new Dictionary<string, UlimitSpec> { ["nofile"] = new() { Soft = 10, Hard = 5 } } }));
        Assert.Equal("service 'web': init_container is not supported by the runc runtime: there is no init binary to inject; drop it or use runtime: docker",
            Error(new ServiceSpec { Name = "web", InitContainer = true }));
        Assert.Equal("service 'web': userns_mode 'keep-id' is not supported by the runc runtime (only host)",
            Error(new ServiceSpec { Name = "web", UsernsMode = "keep-id" }));
    }

    [Fact]
    public void Storage_and_etc_files_are_mounted_parents_first_with_normalised_destinations()
    {
        var data = Directory.CreateDirectory(Path.Combine(_directory.Path, "data")).FullName;
        var hosts = Path.Combine(_directory.Path, "hosts");
        File.WriteAllText(hosts, "127.0.0.1 localhost\n");
        BundleMount[] storage =
        [
            new BundleMount(BundleMountKind.Bind, data, "/var/lib/db/sub/", ReadOnly: true),
            new BundleMount(BundleMountKind.Tmpfs, null, "/var//lib/db", SizeBytes: 64 << 20, Mode: Convert.ToUInt32("1777", 8)),
        ];
        var request = BundleFixtures.Request(Rootfs, mounts: storage) with { HostsFile = hosts, ResolvConfFile = hosts };

        var config = RuntimeConfigBuilder.Build(request, Architecture.X64);

        RuntimeConfigValidator.AssertValid(config);
        var mounts = ((JsonArray)config["mounts"]!).Skip(7).Select(m => m!.ToJsonString()).ToList();
        Assert.Equal(
        [
            $$"""{"destination":"/etc/hosts","type":"bind","source":"{{hosts}}","options":["rbind","rprivate","ro"]}""",
            $$"""{"destination":"/etc/resolv.conf","type":"bind","source":"{{hosts}}","options":["rbind","rprivate","ro"]}""",
            """{"destination":"/var/lib/db","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","size=67108864","mode=1777"]}""",
            $$"""{"destination":"/var/lib/db/sub","type":"bind","source":"{{data}}","options":["rbind","rprivate","ro"]}""",
        ], mounts);
    }

    [Fact]
    public void A_storage_mount_at_an_etc_file_replaces_the_runtimes()
    {
        var mine = Path.Combine(_directory.Path, "my-resolv.conf");
        File.WriteAllText(mine, "nameserver 9.9.9.9\n");
        var theirs = Path.Combine(_directory.Path, "resolv.conf");
        File.WriteAllText(theirs, "nameserver 10.0.0.1\n");
        var request = BundleFixtures.Request(Rootfs, mounts: [new BundleMount(BundleMountKind.Bind, mine, "/etc/resolv.conf")]) with { ResolvConfFile = theirs };

        var mounts = ((JsonArray)RuntimeConfigBuilder.Build(request, Architecture.X64)["mounts"]!).Where(m => (string)m!["destination"]! == "/etc/resolv.conf").ToList();

        Assert.Equal(mine, (string)Assert.Single(mounts)!["source"]!);
    }

    [Theory]
    [InlineData("relative/path", "service 'web': storage target 'relative/path' must be an absolute path inside the container")]
    [InlineData("/data/../etc", "service 'web': storage target '/data/../etc' must not contain '..'")]
    [InlineData("/", "service 'web': storage target '/' would hide the image's root filesystem")]
    [InlineData("/proc/sys", "service 'web': storage target '/proc/sys' is where the container's kernel filesystems are mounted")]
    [InlineData("/dev/shm/", "service 'web': storage target '/dev/shm/' is where the container's kernel filesystems are mounted")]
    public void Bad_destinations_are_refused(string destination, string message)
    {
        var request = BundleFixtures.Request(Rootfs, mounts: [new BundleMount(BundleMountKind.Tmpfs, null, destination)]);

        Assert.Equal(message, Assert.Throws<RuntimeException>(() => RuntimeConfigBuilder.Build(request, Architecture.X64)).Message);
    }

    [Fact]
    public void Bind_sources_must_exist_and_destinations_be_unique()
    {
        var missing = BundleFixtures.Request(Rootfs, mounts: [new BundleMount(BundleMountKind.Bind, "/nonexistent/zlayer", "/data")]);
        var twice = BundleFixtures.Request(Rootfs, mounts: [new BundleMount(BundleMountKind.Tmpfs, null, "/data"), new BundleMount(BundleMountKind.Tmpfs, null, "/data/")]);

        Assert.Equal("service 'web': the host source '/nonexistent/zlayer' of the mount at '/data' does not exist",
            Assert.Throws<RuntimeException>(() => RuntimeConfigBuilder.Build(missing, Architecture.X64)).Message);
        Assert.Equal("service 'web': two storage entries mount at '/data'",
            Assert.Throws<RuntimeException>(() => RuntimeConfigBuilder.Build(twice, Architecture.X64)).Message);
    }

    [Fact]
    public void Network_modes_map_to_the_network_namespace()
    {
        static JsonNode? Network(JsonObject config) => ((JsonArray)config["linux"]!["namespaces"]!).FirstOrDefault(n => (string)n!["type"]! == "network");

        Assert.Null(Network(Build(new ServiceSpec { Name = "web", NetworkMode = NetworkMode.Host })));
        Assert.Null(Network(Build(new ServiceSpec { Name = "web", NetworkMode = NetworkMode.Host }))?["path"]);
        Assert.Null(Network(Build(new ServiceSpec { Name = "web", NetworkMode = new NetworkMode(NetworkModeKind.None) }))!["path"]);
        Assert.Equal("/run/netns/cni-1", (string)Network(Build(new ServiceSpec { Name = "web" }, networkNamespace: "/run/netns/cni-1"))!["path"]!);
        Assert.Equal("/proc/42/ns/net", (string)Network(Build(new ServiceSpec { Name = "web", NetworkMode = new NetworkMode(NetworkModeKind.Container, "db") }, networkNamespace: "/proc/42/ns/net"))!["path"]!);
        Assert.Equal("service 'web': network_mode 'container:db' needs the namespace path of that container, which the runtime did not give",
            Error(new ServiceSpec { Name = "web", NetworkMode = new NetworkMode(NetworkModeKind.Container, "db") }));
        Assert.Equal("service 'web': network_mode 'host' does not join another namespace, yet the runtime passed /run/netns/x",
            Error(new ServiceSpec { Name = "web", NetworkMode = NetworkMode.Host }, networkNamespace: "/run/netns/x"));
    }

    [Fact]
    public void Pid_and_ipc_modes_share_or_join_namespaces()
    {
        static List<string> Types(JsonObject config) => [.. ((JsonArray)config["linux"]!["namespaces"]!).Select(n => (string)n!["type"]!)];

        var host = Build(new ServiceSpec { Name = "web", PidMode = "host", IpcMode = "host" });
        Assert.Equal(["uts", "mount", "network"], Types(host));
        Assert.Contains((JsonArray)host["mounts"]!, m => (string)m!["destination"]! == "/dev/shm" && (string)m["type"]! == "bind");

        var none = Build(new ServiceSpec { Name = "web", IpcMode = "none" });
        Assert.DoesNotContain((JsonArray)none["mounts"]!, m => (string)m!["destination"]! == "/dev/shm");

        var joined = RuntimeConfigBuilder.Build(
            BundleFixtures.Request(Rootfs, new ServiceSpec { Name = "web", PidMode = "container:db" }) with { PidNamespacePath = "/proc/7/ns/pid" }, Architecture.X64);
        Assert.Equal("/proc/7/ns/pid", (string)joined["linux"]!["namespaces"]![0]!["path"]!);

        Assert.Equal("service 'web': ipc_mode 'container:db' needs the namespace path of that container, which the runtime did not give",
            Error(new ServiceSpec { Name = "web", IpcMode = "container:db" }));
        Assert.Equal("service 'web': pid_mode 'sibling' is not host, private or container:ID",
            Error(new ServiceSpec { Name = "web", PidMode = "sibling" }));
        Assert.Contains("uses the host's IPC namespace", Error(new ServiceSpec { Name = "web", IpcMode = "host", Sysctls = new() { ["kernel.shmmax"] = "1" } }), StringComparison.Ordinal);
    }

    [Fact]
    public void Listed_devices_become_nodes_and_cgroup_rules()
    {
        var config = Build(new ServiceSpec { Name = "web", Devices = [new DeviceSpec { Path = "/dev/zero", Write = false }] });

        Assert.Equal("""[{"path":"/dev/zero","type":"c","major":1,"minor":5,"fileMode":""" + FileStatus.Of("/dev/zero", true)!.Value.Mode + ""","uid":0,"gid":0}]""",
            config["linux"]!["devices"]!.ToJsonString());
        Assert.Equal("""{"allow":true,"type":"c","major":1,"minor":5,"access":"r"}""", ((JsonArray)config["linux"]!["resources"]!["devices"]!)[^1]!.ToJsonString());
    }

    [Fact]
    public void Resources_land_under_linux_resources_beside_the_device_rules()
    {
        var config = Build(new ServiceSpec { Name = "web", Resources = new ResourcesSpec { Cpu = 0.5, PidsLimit = 10 } });

        Assert.Equal(50_000, (long)config["linux"]!["resources"]!["cpu"]!["quota"]!);
        Assert.Equal(10, (long)config["linux"]!["resources"]!["pids"]!["limit"]!);
        Assert.NotNull(config["linux"]!["resources"]!["devices"]);
    }

    [Theory]
    [InlineData("", "service 'web': hostname '' must be 1 to 64 letters, digits, '-', '_' or '.'")]
    [InlineData("a b", "service 'web': hostname 'a b' must be 1 to 64 letters, digits, '-', '_' or '.'")]
    public void Bad_hostnames_are_refused(string hostname, string message)
    {
        var request = BundleFixtures.Request(Rootfs) with { Hostname = hostname };

        Assert.Equal(message, Assert.Throws<RuntimeException>(() => RuntimeConfigBuilder.Build(request, Architecture.X64)).Message);
    }

    [Fact]
    public void Labels_of_the_replica_are_annotations_under_the_zlayer_ones()
    {
        var request = BundleFixtures.Request(Rootfs);
        request = request with { Replica = request.Replica with { Labels = new Dictionary<string, string> { ["zlayer.spec-hash"] = "abc", ["zlayer.replica"] = "spoof" } } };

        var annotations = RuntimeConfigBuilder.Build(request, Architecture.X64)["annotations"]!;

        Assert.Equal("abc", (string)annotations["zlayer.spec-hash"]!);
        Assert.Equal("demo.web.0", (string)annotations["zlayer.replica"]!);
    }

    [Fact]
    public void The_schema_check_names_what_a_broken_config_gets_wrong()
    {
        // The validator every bundle test relies on must itself catch what runc would reject.
        var config = Build(new ServiceSpec { Name = "web" });
        config["process"]!["args"] = "sh -c true";
        ((JsonArray)config["linux"]!["namespaces"]!).Add(new JsonObject { ["type"] = "time-travel" });
        config["process"]!["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = -1, ["hard"] = 10 });

        var errors = string.Join("\n", RuntimeConfigValidator.SchemaErrors(config));

        Assert.Contains("process.args: ArrayExpected", errors, StringComparison.Ordinal);
        Assert.Contains("linux.namespaces[", errors, StringComparison.Ordinal);
        Assert.Contains("process.rlimits[0].soft", errors, StringComparison.Ordinal);
    }

    /// <summary>The config for <paramref name="service"/>, checked against the runtime-spec schema first: every configuration a test asks for must be one runc can read.</summary>
    private JsonObject Build(ServiceSpec service, ZLayer.Images.Manifests.ImageConfig? image = null, string? networkNamespace = null)
    {
        var config = RuntimeConfigBuilder.Build(BundleFixtures.Request(Rootfs, service, image, networkNamespace: networkNamespace), Architecture.X64);
        RuntimeConfigValidator.AssertValid(config);
        return config;
    }

    private string Error(ServiceSpec service, string? networkNamespace = null) =>
        Assert.Throws<RuntimeException>(() => Build(service, networkNamespace: networkNamespace)).Message;

    private static List<string> Strings(JsonNode? node) => [.. ((JsonArray)node!).Select(n => (string)n!)];
}
