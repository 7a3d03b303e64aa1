namespace ZLayer.Runtime.Tests.Docker;

/// <summary>
/// Podman's Docker-compatible API (<c>podman system service</c>) with its own storage, run
/// directory, network configuration and registries file (the local registry is plain HTTP), so
/// the machine's containers, networks and settings are never touched.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodmanService() : EngineService("podman")
{
    protected override string Program => "podman";

    protected override IEnumerable<string> Arguments()
    {
        var networks = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "networks")).FullName;
        return
        [
            "--root", Path.Combine(Directory, "root"), "--runroot", Path.Combine(Directory, "run"), "--network-config-dir", networks,
            "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--tmpdir", Path.Combine(Directory, "tmp"),
            "system", "service", "--time=0", "unix://" + SocketPath,
        ];
    }

    protected override IEnumerable<KeyValuePair<string, string>> Environment()
    {
        var registries = Path.Combine(Directory, "registries.conf");
        File.WriteAllText(registries, $"[[registry]]\nlocation = \"{Registry.Host}\"\ninsecure = true\n");

        // Podman gives root's containers 1048576 open files and 4194304 processes by default, which
        // the kernel refuses above the service's own hard limits (lower under this test runner,
        // which may not raise them). Processes: runc was refused even at the hard limit itself
        // here, and a few thousand is plenty for these tests.
        var configuration = Path.Combine(Directory, "containers.conf");
        var nofile = HardLimit("Max open files");
        File.WriteAllText(configuration, $"[containers]\ndefault_ulimits = [\"nofile={nofile}:{nofile}\", \"nproc=4096:4096\"]\n");
        return [new("CONTAINERS_REGISTRIES_CONF", registries), new("CONTAINERS_CONF", configuration)];
    }

    private static string HardLimit(string name)
    {
        var hard = File.ReadLines("/proc/self/limits").First(l => l.StartsWith(name, StringComparison.Ordinal))[name.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return hard == "unlimited" ? "-1" : hard;
    }
}

/// <summary>Every Podman test runs against one <see cref="PodmanService"/>, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PodmanCollection : ICollectionFixture<PodmanService>
{
    public const string Name = "podman";
}
