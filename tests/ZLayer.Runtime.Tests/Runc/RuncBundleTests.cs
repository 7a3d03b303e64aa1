using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>
/// Bundles from <see cref="RuntimeConfigBuilder"/> run by the real runc on a busybox rootfs: the
/// process gets what the spec asked for, and the default confinement holds (and privileged lifts it).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RuncBundleTests : IDisposable
{
    /// <summary>Prints one "@name=value" line per probe; each probe reports ok or denied.</summary>
    private const string ConfinementProbes = """
        probe() { name=$1; shift; if "$@" >/dev/null 2>&1; then echo "@$name=ok"; else echo "@$name=denied"; fi; }
        probe mount mount -t tmpfs none /mnt
        probe procsys sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
        probe unshare-net unshare -n true
        probe unshare-user unshare -U true
        probe linux32 linux32 true
        echo "@timer_list=$(head -c 64 /proc/timer_list 2>/dev/null | wc -c)"
        echo "@memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
        echo "@pids=$(cat /sys/fs/cgroup/pids/pids.max)"
        echo "@cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"
        echo "@hostname=$(hostname)"
        """;

    private readonly RuncHarness _runc = new();

    public void Dispose()
    {
        _runc.Dispose();
    }

    [Fact]
    public async Task Process_runs_with_the_resolved_args_env_cwd_and_user()
    {
        var service = new ServiceSpec
        {
            Name = "web",
            NetworkMode = new NetworkMode(NetworkModeKind.None),
            User = "app",
            ExtraGroups = ["tty"],
            // The compat list form: Docker CMD semantics, so the image ENTRYPOINT stays in front.
            Command = new CommandSpec { Args = ["-c", "echo \"@id=$(id)\"; echo \"@pwd=$(pwd)\"; env | sort | sed 's/^/@env:/'; echo \"@argv0=$0\""], Workdir = "/work", KeepImageEntrypoint = true },
        };
        var image = BundleFixtures.Image(entrypoint: ["/bin/sh"], cmd: ["-c", "echo image cmd"], env: ["IMG=1", "PATH=/bin:/usr/bin"]);
        var request = Request(service, image) with
        {
            Replica = BundleFixtures.Replica(service, environment: new Dictionary<string, string> { ["FOO"] = "bar baz", ["PATH"] = "/host/only" }),
        };

        var output = await RunAsync(RuntimeConfigBuilder.Build(request));

        Assert.Equal("uid=1234(app) gid=1234(app) groups=2000(extra),5(tty)", Sorted(output["id"]));
        Assert.Equal("/work", output["pwd"]);
        var env = output.Where(kv => kv.Key.StartsWith("env:", StringComparison.Ordinal)).Select(kv => kv.Key[4..] + "=" + kv.Value).ToList();
        Assert.Contains("IMG=1", env);
        Assert.Contains("FOO=bar baz", env);
        Assert.Contains("HOSTNAME=web-0", env);
        Assert.Contains("HOME=/home/app", env);
        Assert.Contains("PATH=/bin:/usr/bin", env);
    }

    [Fact]
    public async Task Default_confinement_denies_mount_proc_sys_writes_and_namespaces_and_applies_limits()
    {
        var service = new ServiceSpec
        {
            Name = "web",
            NetworkMode = new NetworkMode(NetworkModeKind.None),
            Command = new CommandSpec { Entrypoint = ["/bin/sh", "-c", ConfinementProbes] },
            Resources = new ResourcesSpec { Memory = Memory("64Mi"), PidsLimit = 64, Cpu = 0.5 },
        };

        var output = await RunAsync(RuntimeConfigBuilder.Build(Request(service)));

        Assert.Equal("denied", output["mount"]);
        Assert.Equal("denied", output["procsys"]);
        Assert.Equal("denied", output["unshare-net"]);
        Assert.Equal("denied", output["unshare-user"]);
        Assert.Equal("0", output["timer_list"]);
        Assert.Equal("67108864", output["memory"]);
        Assert.Equal("64", output["pids"]);
        Assert.Equal("50000", output["cpu"]);
        Assert.Equal("web-0", output["hostname"]);
        Assert.Equal("ok", output["linux32"]);
    }

    [Fact]
    public async Task Seccomp_is_what_denies_a_user_namespace_and_cap_add_sys_admin_lifts_the_mount_rule()
    {
        var unconfined = new ServiceSpec
        {
            Name = "web",
            NetworkMode = new NetworkMode(NetworkModeKind.None),
            SecurityOpt = ["seccomp=unconfined"],
            Command = new CommandSpec { Entrypoint = ["/bin/sh", "-c", ConfinementProbes] },
        };
        var admin = new ServiceSpec
        {
            Name = "web",
            NetworkMode = new NetworkMode(NetworkModeKind.None),
            Capabilities = ["SYS_ADMIN"],
            Command = new CommandSpec { Entrypoint = ["/bin/sh", "-c", ConfinementProbes] },
        };

        var withoutSeccomp = await RunAsync(RuntimeConfigBuilder.Build(Request(unconfined)));
        var withSysAdmin = await RunAsync(RuntimeConfigBuilder.Build(Request(admin)));

        // Creating a user namespace needs no capability: only the profile stops it.
        Assert.Equal("ok", withoutSeccomp["unshare-user"]);
        Assert.Equal("denied", withoutSeccomp["mount"]);
        Assert.Equal("ok", withSysAdmin["mount"]);
        Assert.Equal("ok", withSysAdmin["unshare-net"]);
        Assert.Equal("denied", withSysAdmin["procsys"]);
    }

    [Fact]
    public async Task Privileged_lifts_the_confinement()
    {
        var service = new ServiceSpec
        {
            Name = "web",
            NetworkMode = new NetworkMode(NetworkModeKind.None),
            Privileged = true,
            Command = new CommandSpec { Entrypoint = ["/bin/sh", "-c", ConfinementProbes] },
        };

        var output = await RunAsync(RuntimeConfigBuilder.Build(Request(service)));

        Assert.Equal("ok", output["mount"]);
        Assert.Equal("ok", output["procsys"]);
        Assert.Equal("ok", output["unshare-net"]);
        Assert.Equal("ok", output["unshare-user"]);
        Assert.NotEqual("0", output["timer_list"]);
    }

    private BundleRequest Request(ServiceSpec service, ZLayer.Images.Manifests.ImageConfig? image = null) =>
        BundleFixtures.Request(_runc.Rootfs, service, image ?? BundleFixtures.Image(), cgroupsPath: RuncHarness.UniqueCgroup());

    private async Task<Dictionary<string, string>> RunAsync(JsonObject config)
    {
        RuntimeConfigValidator.AssertValid(config);
        var (exitCode, stdout, stderr) = await _runc.RunAsync(config);
        Assert.True(exitCode == 0, $"runc run exited {exitCode}: {stderr}\n{stdout}");
        Assert.Empty(_runc.List());
        Assert.Empty(RuncHarness.CgroupDirectories(config));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('@') && eq > 0)
            {
                result[line[1..eq]] = line[(eq + 1)..];
            }
        }

        return result;
    }

    /// <summary>busybox lists supplementary groups in the kernel's order; sort them for a stable comparison.</summary>
    private static string Sorted(string id)
    {
        var at = id.IndexOf(" groups=", StringComparison.Ordinal);
        return at < 0 ? id : id[..at] + " groups=" + string.Join(',', id[(at + 8)..].Split(',').Order(StringComparer.Ordinal));
    }

    private static MemorySize Memory(string text) => MemorySize.TryParse(text, out var size, out var error) ? size : throw new ArgumentException(error);
}
