using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>volumes</c>, <c>tmpfs</c>, <c>shm_size</c>, <c>secrets</c> and <c>configs</c> →
/// <see cref="ServiceSpec.Storage"/>. A volume source that looks like a path (<c>/</c>, <c>.</c>,
/// <c>~</c>) is a host bind, as in Docker; any other source must be a declared top-level volume.
/// File-based secrets and configs become read-only binds at <c>/run/secrets/NAME</c> and <c>/NAME</c>.
/// </summary>
internal sealed class StorageMapper(ComposeMappingContext context)
{
    /// <summary>Docker Desktop's file-sharing hints; no-ops on Linux hosts, so accepted silently.</summary>
    private static readonly HashSet<string> ConsistencyOptions = ["consistent", "cached", "delegated"];

    /// <summary>/dev/shm's usual mode (world-writable, sticky), as Docker mounts it.</summary>
    private static readonly PermissionMode SharedMemoryMode = new(Convert.ToUInt32("1777", 8));

    private readonly Dictionary<string, SourceLocation> _targets = new(StringComparer.Ordinal);

    private ComposeReporter Reporter => context.Reporter;

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (fields.Take("volumes", out var volumesKey, out var volumesNode))
        {
            MapVolumes(volumesNode, fields, service);
            ServiceFields.Mark(service, "storage", volumesKey);
        }

        if (fields.Take("tmpfs", out var tmpfsKey, out var tmpfsNode))
        {
            foreach (var (text, node) in context.Scalars.TextList(tmpfsNode, fields.PathOf("tmpfs")))
            {
                Add(service, Tmpfs(text, node, fields.PathOf("tmpfs")));
            }

            service.KeyLocations.TryAdd("storage", tmpfsKey.Location);
        }

        if (fields.Take("shm_size", out var shmKey, out var shmNode) && context.Scalars.ByteSize(shmNode, fields.PathOf("shm_size"), out var shmBytes) && shmBytes > 0)
        {
            // Docker's shm_size is the size of the tmpfs at /dev/shm; mount exactly that.
            Add(service, new StorageSpec
            {
                Type = StorageType.Tmpfs,
                Target = "/dev/shm",
                Size = Size(shmBytes, shmNode, fields.PathOf("shm_size")),
                Mode = SharedMemoryMode,
                Location = shmNode.Location,
                SpecPath = fields.PathOf("shm_size"),
            });
            service.KeyLocations.TryAdd("storage", shmKey.Location);
        }

        MapGrants(fields, service, "secrets", context.Resources.Secrets, name => $"/run/secrets/{name}", relative => $"/run/secrets/{relative}");
        MapGrants(fields, service, "configs", context.Resources.Configs, name => $"/{name}", relative => $"/{relative}");
    }

    private void Add(ServiceSpec service, StorageSpec? storage)
    {
        if (storage is null)
        {
            return;
        }

        if (_targets.TryGetValue(storage.Target, out var first))
        {
            Reporter.Error(ComposeCodes.Conflict, $"two mounts at '{storage.Target}' (the first at {first})", storage.Location, storage.SpecPath);
            return;
        }

        _targets[storage.Target] = storage.Location;
        service.Storage.Add(storage);
    }

    private void MapVolumes(YNode node, ServiceFields fields, ServiceSpec service)
    {
        var path = fields.PathOf("volumes");
        if (YTree.IsNull(node))
        {
            return;
        }

        if (node is not YSequence seq)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a list of volumes, found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}[{i}]";
            Add(service, item switch
            {
                YScalar { IsNull: false } s => ShortVolume(s, itemPath, fields.Name),
                YMapping m => LongVolume(m, itemPath, fields.Name),
                _ => Invalid(item, itemPath),
            });
        }
    }

    private StorageSpec? Invalid(YNode item, string path)
    {
        Reporter.Error(ComposeCodes.Type, $"'{path}' needs a volume such as \"./data:/data\" or a map with 'type' and 'target', found {ComposeScalars.Found(item)}", item, path);
        return null;
    }

    private StorageSpec? ShortVolume(YScalar item, string path, string service)
    {
        if (!VolumeSyntax.TrySplit(item.Value, out var volume, out var error))
        {
            Reporter.Error(ComposeCodes.Value, error, item, path);
            return null;
        }

        var readOnly = false;
        foreach (var option in (volume.Options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (option)
            {
                case "ro":
                    readOnly = true;
                    break;
                case "rw":
                    break;
                default:
                    if (!ConsistencyOptions.Contains(option))
                    {
                        Reporter.Approximated($"volume option '{option}' in '{item.Value}' is not supported and is ignored", item, path);
                    }

                    break;
            }
        }

        return Mount(volume.Source, volume.Target, readOnly, item, path, service, isBind: volume.Source is { } s && VolumeSyntax.IsBindSource(s));
    }

    private StorageSpec? LongVolume(YMapping item, string path, string service)
    {
        var type = YTree.TextOf(item.Get("type"));
        var source = YTree.TextOf(item.Get("source"));
        var target = YTree.TextOf(item.Get("target"));
        var readOnly = false;
        if (type is null)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs 'type' (bind, volume or tmpfs)", item, path);
            return null;
        }

        if (type is not ("bind" or "volume" or "tmpfs"))
        {
            Reporter.Unsupported($"volumes type '{type}'", item.Get("type")!, $"{path}.type", "only bind, volume and tmpfs mounts are");
            return null;
        }

        if (target is null)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs 'target', the path inside the container", item, path);
            return null;
        }

        foreach (var (key, value) in item.Entries)
        {
            var keyPath = $"{path}.{key.Value}";
            switch (key.Value)
            {
                case "type" or "source" or "target" or "consistency":
                    break;
                case "read_only":
                    context.Scalars.Bool(value, keyPath, out readOnly);
                    break;
                case "bind" when type == "bind":
                    NestedOptions(value, keyPath, "volumes.bind", allowed: o => o.Key.Value == "create_host_path" && YTree.TextOf(o.Value) is "true" or "True");
                    break;
                case "volume" when type == "volume":
                    NestedOptions(value, keyPath, "volumes.volume", allowed: _ => false);
                    break;
                case "tmpfs" when type == "tmpfs":
                    break;
                default:
                    Reporter.Unsupported($"volumes.{key.Value}", key, keyPath);
                    break;
            }
        }

        if (type == "tmpfs")
        {
            return TmpfsFromLong(item, target, path);
        }

        if (type == "bind" && source is null)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' is a bind mount and needs 'source', the host path", item, path);
            return null;
        }

        return Mount(source, target, readOnly, item, path, service, isBind: type == "bind");
    }

    private void NestedOptions(YNode node, string path, string field, Func<KeyValuePair<YScalar, YNode>, bool> allowed)
    {
        if (node is not YMapping map)
        {
            return;
        }

        foreach (var entry in map.Entries)
        {
            if (!allowed(entry))
            {
                Reporter.Unsupported($"{field}.{entry.Key.Value}", entry.Key, $"{path}.{entry.Key.Value}");
            }
        }
    }

    private StorageSpec? Mount(string? source, string target, bool readOnly, YNode at, string path, string service, bool isBind)
    {
        if (!target.StartsWith('/'))
        {
            Reporter.Error(ComposeCodes.Value, $"volume target '{target}' must be an absolute path inside the container", at, path);
            return null;
        }

        var storage = new StorageSpec { Target = target, Location = at.Location, SpecPath = path };
        storage.KeyLocations["target"] = at.Location;
        if (source is null)
        {
            storage.Type = StorageType.Anonymous;
            return storage;
        }

        if (isBind)
        {
            storage.Type = StorageType.Bind;
            storage.Source = source;
            storage.Readonly = readOnly;
            storage.KeyLocations["source"] = at.Location;
            return storage;
        }

        if (!context.Resources.Volumes.TryGetValue(source, out var declared))
        {
            Reporter.Error(ComposeCodes.Reference, $"service '{service}' uses volume '{source}', which is not declared under the top-level 'volumes'", at, path);
            return null;
        }

        storage.Type = StorageType.Named;
        storage.Name = declared.VolumeName;
        storage.Readonly = readOnly;
        storage.KeyLocations["name"] = at.Location;
        return storage;
    }

    private StorageSpec? Tmpfs(string text, YNode at, string path)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var target = colon < 0 ? text : text[..colon];
        if (!target.StartsWith('/'))
        {
            Reporter.Error(ComposeCodes.Value, $"tmpfs target '{target}' must be an absolute path inside the container", at, path);
            return null;
        }

        var storage = new StorageSpec { Type = StorageType.Tmpfs, Target = target, Location = at.Location, SpecPath = path };
        var ignored = new List<string>();
        foreach (var option in colon < 0 ? [] : text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (option.StartsWith("size=", StringComparison.Ordinal))
            {
                if (ComposeByteSize.TryParse(option[5..], out var bytes, out var error))
                {
                    storage.Size = Size(bytes, at, path);
                }
                else
                {
                    Reporter.Error(ComposeCodes.Value, $"tmpfs '{text}': {error}", at, path);
                }
            }
            else if (option.StartsWith("mode=", StringComparison.Ordinal))
            {
                storage.Mode = Mode(option[5..], at, path);
            }
            else if (option != "rw")
            {
                ignored.Add(option);
            }
        }

        if (ignored.Count > 0)
        {
            Reporter.Approximated($"tmpfs options {string.Join(", ", ignored)} in '{text}' are not supported and are ignored", at, path);
        }

        return storage;
    }

    private StorageSpec TmpfsFromLong(YMapping item, string target, string path)
    {
        var storage = new StorageSpec { Type = StorageType.Tmpfs, Target = target, Location = item.Location, SpecPath = path };
        if (item.Get("tmpfs") is not YMapping options)
        {
            return storage;
        }

        foreach (var (key, value) in options.Entries)
        {
            var keyPath = $"{path}.tmpfs.{key.Value}";
            switch (key.Value)
            {
                case "size":
                    if (context.Scalars.ByteSize(value, keyPath, out var bytes) && bytes > 0)
                    {
                        storage.Size = Size(bytes, value, keyPath);
                    }

                    break;
                case "mode":
                    storage.Mode = YTree.TextOf(value) is { } mode ? Mode(mode, value, keyPath) : null;
                    break;
                default:
                    Reporter.Unsupported($"volumes.tmpfs.{key.Value}", key, keyPath);
                    break;
            }
        }

        return storage;
    }

    private string Size(long bytes, YNode at, string path)
    {
        var text = ComposeByteSize.ToBinaryUnits(bytes, out var exact);
        if (!exact)
        {
            Reporter.Approximated($"'{path}' is {bytes} bytes, not a whole number of KiB; rounded up to {text}", at, path);
        }

        return text;
    }

    private PermissionMode? Mode(string text, YNode at, string path)
    {
        if (PermissionMode.TryParse(text, out var mode, out var error))
        {
            return mode;
        }

        Reporter.Error(ComposeCodes.Value, $"'{path}': {error}", at, path);
        return null;
    }

    private void MapGrants(ServiceFields fields, ServiceSpec service, string field, Dictionary<string, DeclaredGrant> declared, Func<string, string> defaultTarget, Func<string, string> relativeTarget)
    {
        if (!fields.Take(field, out var key, out var node) || YTree.IsNull(node))
        {
            return;
        }

        var path = fields.PathOf(field);
        var kind = field == "secrets" ? "secret" : "config";
        if (node is not YSequence seq)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a list of {field}, found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}[{i}]";
            string? source;
            string? target = null;
            if (item is YMapping m)
            {
                source = YTree.TextOf(m.Get("source"));
                target = YTree.TextOf(m.Get("target"));
                foreach (var (entryKey, _) in m.Entries)
                {
                    if (entryKey.Value is not ("source" or "target"))
                    {
                        Reporter.Unsupported($"{field}.{entryKey.Value}", entryKey, $"{itemPath}.{entryKey.Value}", "the file is mounted with its host owner and mode");
                    }
                }
            }
            else
            {
                source = YTree.TextOf(item);
            }

            if (source is null)
            {
                Reporter.Error(ComposeCodes.Type, $"'{itemPath}' needs a {kind} name or a map with 'source'", item, itemPath);
                continue;
            }

            if (!declared.TryGetValue(source, out var grant))
            {
                Reporter.Error(ComposeCodes.Reference, $"service '{fields.Name}' uses {kind} '{source}', which is not declared under the top-level '{field}'", item, itemPath);
                continue;
            }

            if (grant.File is null)
            {
                continue;
            }

            var mountAt = target is null ? defaultTarget(source) : target.StartsWith('/') ? target : relativeTarget(target);
            var storage = new StorageSpec { Type = StorageType.Bind, Source = grant.File, Target = mountAt, Readonly = true, Location = item.Location, SpecPath = itemPath };
            storage.KeyLocations["source"] = item.Location;
            storage.KeyLocations["target"] = item.Location;
            Add(service, storage);
        }

        service.KeyLocations.TryAdd("storage", key.Location);
    }
}
