namespace ZLayer.Runtime.Runc.Bundle;

public enum BundleMountKind
{
    /// <summary>A host file or directory (bind and named storage, after the runtime resolved it).</summary>
    Bind,

    /// <summary>A fresh tmpfs.</summary>
    Tmpfs,
}

/// <summary>One resolved storage mount of a replica.</summary>
/// <param name="Source">Absolute host path for <see cref="BundleMountKind.Bind"/>; ignored for tmpfs.</param>
/// <param name="Destination">Absolute path inside the container.</param>
/// <param name="SizeBytes">tmpfs size; null for the kernel's default (half of RAM).</param>
/// <param name="Mode">tmpfs root permission bits (e.g. 0o1777); null for the kernel's default.</param>
public sealed record BundleMount(
    BundleMountKind Kind,
    string? Source,
    string Destination,
    bool ReadOnly = false,
    long? SizeBytes = null,
    uint? Mode = null);
