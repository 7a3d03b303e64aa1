namespace ZLayer.TestImages.Engines;

/// <summary>
/// Podman's Docker-compatible API (<c>podman system service</c>) with its own storage, run
/// directory, network configuration and registries file, so the machine's containers, networks
/// and settings are never touched.
/// </summary>
public sealed class PodmanServer : EngineServer
{
    private readonly IReadOnlyList<string> _insecureRegistries;

    private PodmanServer(IReadOnlyList<string> insecureRegistries)
        : base("podman")
    {
        _insecureRegistries = insecureRegistries;
    }

    /// <param name="insecureRegistries">Registries (HOST:PORT) reached over plain HTTP; Podman, unlike dockerd, wants even loopback ones listed.</param>
    public static Task<PodmanServer> StartAsync(params string[] insecureRegistries) => LaunchAsync(new PodmanServer(insecureRegistries));

    protected override string Program => "podman";

    protected override IEnumerable<string> Arguments()
    {
        var networks = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "networks")).FullName;
        return
        [
            "--root", Path.Combine(Directory, "root"), "--runroot", Path.Combine(Directory, "run"), "--network-config-dir", networks,
            "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--tmpdir", Path.Combine(Directory, "tmp"),
            "system", "service", "--time=0", Host,
        ];
    }

    protected override IEnumerable<KeyValuePair<string, string>> Environment()
    {
        var registries = Path.Combine(Directory, "registries.conf");
        File.WriteAllText(registries, string.Concat(_insecureRegistries.Select(r => $"[[registry]]\nlocation = \"{r}\"\ninsecure = true\n\n")));

        // Podman gives root's containers 1048576 open files and 4194304 processes by default, which
        // the kernel refuses above the service's own hard limits (lower under a test runner, which
        // may not raise them). Processes: runc was refused even at the hard limit itself here, and
        // a few thousand is plenty for tests.
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
