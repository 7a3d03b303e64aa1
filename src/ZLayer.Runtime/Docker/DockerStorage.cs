using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// A service's <c>storage</c> as the engine's Mounts. <c>bind</c> as given (the host path must
/// exist); <c>named</c> volumes are this node's own volume directories (<see cref="NamedVolumes"/>,
/// the same ones the runc runtime mounts) bound in, so they outlive the container, are listed and
/// removed by <c>zlayer volume</c> and can be shared with runc replicas; <c>anonymous</c> ones are
/// the engine's anonymous volumes, removed with the container; <c>tmpfs</c> with its size and mode.
/// </summary>
internal static class DockerStorage
{
    public static JsonArray Mounts(ServiceSpec service, NamedVolumes volumes)
    {
        var mounts = new JsonArray();
        foreach (var storage in service.Storage)
        {
            var target = Runc.Bundle.ContainerPath.Normalise(service.Name, "storage target", storage.Target);
            switch (storage.Type)
            {
                case StorageType.Bind:
                    var source = storage.Source ?? throw Error(service, storage, "a bind mount needs source");
                    if (!Path.IsPathRooted(source) || (!Directory.Exists(source) && !File.Exists(source)))
                    {
                        throw Error(service, storage, $"bind source '{source}' does not exist on this node (it must be an absolute host path)");
                    }

                    mounts.Add(Bind(Path.GetFullPath(source), target, storage.Readonly));
                    break;
                case StorageType.Named:
                    var name = storage.Name ?? throw Error(service, storage, "a named volume needs name");
                    if (!NamedVolumes.IsValidName(name))
                    {
                        throw Error(service, storage, $"'{name}' is not a volume name (letters, digits, '.', '_', '-')");
                    }

                    mounts.Add(Bind(volumes.Ensure(name), target, storage.Readonly));
                    break;
                case StorageType.Anonymous:
                    mounts.Add(new JsonObject { ["Type"] = "volume", ["Target"] = target });
                    break;
                case StorageType.Tmpfs:
                    var options = new JsonObject();
                    if (StorageMounts.TmpfsSize(service, storage) is { } size)
                    {
                        options["SizeBytes"] = size;
                    }

                    if (storage.Mode is { } mode)
                    {
                        options["Mode"] = mode.Value;
                    }

                    mounts.Add(new JsonObject { ["Type"] = "tmpfs", ["Target"] = target, ["ReadOnly"] = storage.Readonly, ["TmpfsOptions"] = options });
                    break;
                default:
                    throw Error(service, storage, $"storage type {storage.Type.ToString().ToLowerInvariant()} is not supported by the docker runtime");
            }
        }

        return mounts;
    }

    /// <summary>The named volumes among the storage, for the container's labels.</summary>
    public static IReadOnlyList<string> NamedVolumesOf(ServiceSpec service) =>
        [.. service.Storage.Where(v => v.Type == StorageType.Named && v.Name is not null).Select(v => v.Name!).Distinct()];

    private static JsonObject Bind(string source, string target, bool readOnly) =>
        new() { ["Type"] = "bind", ["Source"] = source, ["Target"] = target, ["ReadOnly"] = readOnly };

    private static RuntimeException Error(ServiceSpec service, StorageSpec storage, string detail) =>
        new($"service '{service.Name}': storage {storage.Target}: {detail}");
}
