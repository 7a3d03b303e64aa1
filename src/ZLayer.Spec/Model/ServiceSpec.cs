using System.Text.Json.Serialization;
using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>One service of a deployment: what to run, how many, and how to reach and keep it.</summary>
public sealed class ServiceSpec : SpecObject
{
    /// <summary>The key of this service in <c>services</c>.</summary>
    [JsonIgnore]
    public string Name { get; set; } = "";

    public ResourceType Rtype { get; set; } = ResourceType.Service;

    [SpecDoc("Cron schedule for rtype: cron (UTC).")]
    public CronSchedule? Schedule { get; set; }

    public ServiceType ServiceType { get; set; } = ServiceType.Standard;

    [SpecDoc("Extension: auto | runc | docker | process (a host process; needs command.entrypoint).")]
    public RuntimeKind Runtime { get; set; } = RuntimeKind.Auto;

    public ImageSpec? Image { get; set; }

    public CommandSpec? Command { get; set; }

    public EnvMap Env { get; set; } = [];

    public ResourcesSpec? Resources { get; set; }

    public List<EndpointSpec> Endpoints { get; set; } = [];

    public ScaleSpec? Scale { get; set; }

    public List<DependsSpec> Depends { get; set; } = [];

    public HealthSpec? Health { get; set; }

    public InitSpec? Init { get; set; }

    public ErrorsSpec? Errors { get; set; }

    public LifecycleSpec? Lifecycle { get; set; }

    public RestartPolicySpec? RestartPolicy { get; set; }

    [SpecDoc("Signal sent to stop a replica, e.g. SIGTERM or 15.")]
    public string? StopSignal { get; set; }

    public Duration? StopGracePeriod { get; set; }

    public List<StorageSpec> Storage { get; set; } = [];

    public List<DeviceSpec> Devices { get; set; } = [];

    public List<PortMappingSpec> PortMappings { get; set; } = [];

    public List<string> Expose { get; set; } = [];

    public NetworkSpec? Network { get; set; }

    public ServiceOverlaySpec? Overlay { get; set; }

    public NetworkMode NetworkMode { get; set; } = NetworkMode.Default;

    /// <summary>Legacy spelling of <c>network_mode: host</c>; folded into <see cref="NetworkMode"/> after loading.</summary>
    [JsonIgnore]
    public bool? HostNetwork { get; set; }

    public string? Hostname { get; set; }

    public List<string> Dns { get; set; } = [];

    public List<string> ExtraHosts { get; set; } = [];

    public LocalhostReachability LocalhostReachability { get; set; } = LocalhostReachability.Auto;

    public NodeMode NodeMode { get; set; } = NodeMode.Shared;

    public NodeSelectorSpec? NodeSelector { get; set; }

    public Affinity? Affinity { get; set; }

    public PlatformSpec? Platform { get; set; }

    public List<ReplicaGroupSpec> ReplicaGroups { get; set; } = [];

    public bool? Privileged { get; set; }

    [SpecAlias("cap_add")]
    public List<string> Capabilities { get; set; } = [];

    public List<string> CapDrop { get; set; } = [];

    [SpecDoc("uid[:gid] or name[:group].")]
    public string? User { get; set; }

    public List<string> ExtraGroups { get; set; } = [];

    public bool? ReadOnlyRootFs { get; set; }

    public bool? InitContainer { get; set; }

    public bool? Tty { get; set; }

    public bool? StdinOpen { get; set; }

    public Dictionary<string, string> Sysctls { get; set; } = [];

    public Dictionary<string, UlimitSpec> Ulimits { get; set; } = [];

    public List<string> SecurityOpt { get; set; } = [];

    public string? PidMode { get; set; }

    public string? IpcMode { get; set; }

    public string? UsernsMode { get; set; }

    public string? CgroupParent { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    public Isolation? Isolation { get; set; }

    public LogsSpec? Logs { get; set; }

    [SpecAlias("wasm_http")]
    public WasmSpec? Wasm { get; set; }

    /// <summary>Compatibility form: <c>src:dst[:ro]</c> strings, turned into <see cref="Storage"/> after loading.</summary>
    [JsonIgnore]
    public List<string>? Volumes { get; set; }
}

public sealed class ImageSpec : SpecObject
{
    [SpecRequired]
    public ImageReference Name { get; set; } = null!;

    public PullPolicy PullPolicy { get; set; } = PullPolicy.IfNotPresent;

    public SourcePolicy? SourcePolicy { get; set; }
}

public sealed class CommandSpec : SpecObject
{
    public List<string>? Entrypoint { get; set; }

    public List<string>? Args { get; set; }

    public string? Workdir { get; set; }

    /// <summary>
    /// Extension: Docker CMD semantics. When true and only <see cref="Args"/> is set, the image
    /// ENTRYPOINT is kept in front of the args (the compatibility list form sets this); upstream's
    /// map form replaces the whole command with args.
    /// </summary>
    [SpecDoc("Extension: keep the image ENTRYPOINT in front of args (Docker CMD semantics).")]
    public bool KeepImageEntrypoint { get; set; }
}

public sealed class ResourcesSpec : SpecObject
{
    [SpecAllowQuotedNumber, SpecDoc("CPU cores, > 0 (e.g. 0.5).")]
    public double? Cpu { get; set; }

    public MemorySize? Memory { get; set; }

    public GpuSpec? Gpu { get; set; }

    public long? PidsLimit { get; set; }

    public string? Cpuset { get; set; }

    public uint? CpuShares { get; set; }

    public string? MemorySwap { get; set; }

    public string? MemoryReservation { get; set; }

    public byte? MemorySwappiness { get; set; }

    public int? OomScoreAdj { get; set; }

    public bool? OomKillDisable { get; set; }

    public ushort? BlkioWeight { get; set; }
}

public sealed class GpuSpec : SpecObject
{
    public uint Count { get; set; } = 1;

    public string Vendor { get; set; } = "nvidia";

    public string? Mode { get; set; }

    public string? Model { get; set; }

    public GpuScheduling? Scheduling { get; set; }

    public GpuSharing? Sharing { get; set; }

    public GpuDistributedSpec? Distributed { get; set; }

    public string? MpsPipeDir { get; set; }

    public string? MpsLogDir { get; set; }

    public uint? TimeSliceIndex { get; set; }

    public string? TimeSlicingConfigPath { get; set; }
}

public sealed class GpuDistributedSpec : SpecObject
{
    public string Backend { get; set; } = "nccl";

    public ushort MasterPort { get; set; } = 29500;
}

public sealed class UlimitSpec : SpecObject
{
    public long? Soft { get; set; }

    public long? Hard { get; set; }
}

[SpecOpen]
public sealed class LogsSpec : SpecObject
{
    public string Destination { get; set; } = "disk";

    public long MaxSizeBytes { get; set; } = 104_857_600;

    public long RetentionSecs { get; set; } = 604_800;
}

public sealed class LifecycleSpec : SpecObject
{
    public bool DeleteOnExit { get; set; }
}

public sealed class RestartPolicySpec : SpecObject
{
    [SpecRequired]
    public RestartKind Kind { get; set; }

    public uint? MaxAttempts { get; set; }

    public Duration? Delay { get; set; }
}
