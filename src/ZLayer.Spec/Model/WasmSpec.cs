using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>WebAssembly settings (parsed and validated; not run by this implementation's nodes).</summary>
public sealed class WasmSpec : SpecObject
{
    public uint MinInstances { get; set; }

    public uint MaxInstances { get; set; } = 10;

    public Duration? IdleTimeout { get; set; }

    public Duration? RequestTimeout { get; set; }

    public MemorySize? MaxMemory { get; set; }

    public ulong MaxFuel { get; set; }

    public ulong? EpochInterval { get; set; }

    public WasmCapabilities? Capabilities { get; set; }

    public bool AllowHttpOutgoing { get; set; } = true;

    public List<string> AllowedHosts { get; set; } = [];

    public bool AllowTcp { get; set; }

    public bool AllowUdp { get; set; }

    public List<WasmPreopen> Preopens { get; set; } = [];

    public bool KvEnabled { get; set; } = true;

    public string? KvNamespace { get; set; }

    public ulong KvMaxValueSize { get; set; } = 1_048_576;

    public List<string> Secrets { get; set; } = [];

    public bool Precompile { get; set; } = true;
}

public sealed class WasmCapabilities : SpecObject
{
    [SpecDoc("Defaults to true when omitted.")]
    public bool Config { get; set; } = true;

    [SpecDoc("Defaults to true when omitted.")]
    public bool Keyvalue { get; set; } = true;

    [SpecDoc("Defaults to true when omitted.")]
    public bool Logging { get; set; } = true;

    public bool Secrets { get; set; }

    [SpecDoc("Defaults to true when omitted.")]
    public bool Metrics { get; set; } = true;

    public bool HttpClient { get; set; }

    public bool Cli { get; set; }

    public bool Filesystem { get; set; }

    public bool Sockets { get; set; }
}

public sealed class WasmPreopen : SpecObject
{
    [SpecRequired]
    public string Source { get; set; } = "";

    [SpecRequired]
    public string Target { get; set; } = "";

    public bool Readonly { get; set; }
}
