using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>A filesystem a replica mounts: host bind, named volume, anonymous volume, tmpfs or S3.</summary>
[SpecUnion("type")]
public sealed class StorageSpec : SpecObject
{
    [SpecRequired]
    public StorageType Type { get; set; }

    [SpecVariant("bind"), SpecRequired, SpecDoc("Host path.")]
    public string? Source { get; set; }

    [SpecVariant("named"), SpecRequired, SpecDoc("Volume name: lowercase letters, digits and '-', at most 63.")]
    public string? Name { get; set; }

    [SpecVariant("s3"), SpecRequired]
    public string? Bucket { get; set; }

    [SpecRequired, SpecDoc("Mount point inside the replica.")]
    public string Target { get; set; } = "";

    [SpecVariant("bind", "named", "s3")]
    public bool Readonly { get; set; }

    [SpecVariant("named", "anonymous")]
    public StorageTier? Tier { get; set; }

    [SpecVariant("named", "tmpfs"), SpecDoc("e.g. 10Gi or 256Mi.")]
    public string? Size { get; set; }

    [SpecVariant("tmpfs"), SpecDoc("Octal permission digits: 1777 means 01777.")]
    public PermissionMode? Mode { get; set; }

    [SpecVariant("s3")]
    public string? Prefix { get; set; }

    [SpecVariant("s3")]
    public string? Endpoint { get; set; }

    [SpecVariant("s3")]
    public Dictionary<string, string>? Credentials { get; set; }
}

public sealed class DeviceSpec : SpecObject
{
    [SpecRequired]
    public string Path { get; set; } = "";

    public bool Read { get; set; } = true;

    public bool Write { get; set; } = true;

    public bool Mknod { get; set; }
}

[SpecOpen]
public sealed class PortMappingSpec : SpecObject
{
    [SpecRequired]
    public ushort ContainerPort { get; set; }

    [SpecDoc("Omitted or 0: an ephemeral port.")]
    public ushort? HostPort { get; set; }

    public TransportProtocol Protocol { get; set; } = TransportProtocol.Tcp;

    public string HostIp { get; set; } = "0.0.0.0";
}
