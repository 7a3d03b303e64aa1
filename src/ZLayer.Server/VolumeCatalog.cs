using ZLayer.Runtime.Runc;

namespace ZLayer.Server;

/// <summary>The node's named volumes and which of them containers mount, for the volume routes; empty where the runc runtime cannot run.</summary>
public sealed class VolumeCatalog(NamedVolumes? volumes, Func<IReadOnlySet<string>> inUse)
{
    public static VolumeCatalog None { get; } = new(null, () => new HashSet<string>());

    public NamedVolumes? Volumes { get; } = volumes;

    public IReadOnlySet<string> InUse() => inUse();
}
