using System.Globalization;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// Turns a service's <c>storage</c> into mounts: <c>bind</c> as given (the host path must exist),
/// <c>named</c> volumes under the data directory (kept across redeploys until <c>zlayer volume
/// rm</c>), <c>anonymous</c> ones inside the container's directory (gone with it), <c>tmpfs</c>
/// with its size and mode.
/// </summary>
internal static class StorageMounts
{
    public static IReadOnlyList<BundleMount> Resolve(ServiceSpec service, ContainerPaths paths, NamedVolumes volumes)
    {
        var mounts = new List<BundleMount>();
        var anonymous = 0;
        foreach (var storage in service.Storage)
        {
            switch (storage.Type)
            {
                case StorageType.Bind:
                    var source = storage.Source ?? throw Error(service, storage, "a bind mount needs source");
                    if (!Path.IsPathRooted(source) || (!Directory.Exists(source) && !File.Exists(source)))
                    {
                        throw Error(service, storage, $"bind source '{source}' does not exist on this node (it must be an absolute host path)");
                    }

                    mounts.Add(new BundleMount(BundleMountKind.Bind, Path.GetFullPath(source), storage.Target, storage.Readonly));
                    break;
                case StorageType.Named:
                    var name = storage.Name ?? throw Error(service, storage, "a named volume needs name");
                    if (!NamedVolumes.IsValidName(name))
                    {
                        throw Error(service, storage, $"'{name}' is not a volume name (letters, digits, '.', '_', '-')");
                    }

                    var volume = volumes.Ensure(name);
                    mounts.Add(new BundleMount(BundleMountKind.Bind, volume, storage.Target, storage.Readonly));
                    break;
                case StorageType.Anonymous:
                    var directory = Path.Combine(paths.Directory, "volumes", (anonymous++).ToString(CultureInfo.InvariantCulture));
                    Directory.CreateDirectory(directory);
                    mounts.Add(new BundleMount(BundleMountKind.Bind, directory, storage.Target, storage.Readonly));
                    break;
                case StorageType.Tmpfs:
                    mounts.Add(new BundleMount(BundleMountKind.Tmpfs, null, storage.Target, storage.Readonly, TmpfsSize(service, storage), storage.Mode?.Value));
                    break;
                default:
                    throw Error(service, storage, $"storage type {storage.Type.ToString().ToLowerInvariant()} is not supported by the runc runtime");
            }
        }

        return mounts;
    }

    /// <summary>tmpfs sizes as people write them: 64Mi, 1Gi, 100m, 512k or bytes (the docker runtime reads them the same way).</summary>
    internal static long? TmpfsSize(ServiceSpec service, StorageSpec storage)
    {
        if (string.IsNullOrWhiteSpace(storage.Size))
        {
            return null;
        }

        var text = storage.Size.Trim();
        var units = new (string Suffix, long Factor)[] { ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("k", 1L << 10), ("K", 1L << 10), ("m", 1L << 20), ("M", 1L << 20), ("g", 1L << 30), ("G", 1L << 30) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && long.TryParse(text[..^suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                return n * factor;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : throw Error(service, storage, $"tmpfs size '{storage.Size}' is not a size such as 64Mi");
    }

    private static RuntimeException Error(ServiceSpec service, StorageSpec storage, string detail) =>
        new($"service '{service.Name}': storage {storage.Target}: {detail}");
}
