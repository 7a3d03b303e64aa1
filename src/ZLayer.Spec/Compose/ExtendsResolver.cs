using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Resolves <c>extends</c> in one compose file: each service that extends another (in the same file or
/// in <c>extends.file</c>) becomes the base service merged with its own keys by the Compose merge
/// rules. Chains are followed up to a depth limit; a cycle is an error that names it.
/// </summary>
internal sealed class ExtendsResolver(ComposeSession session, ComposeVariables variables)
{
    /// <summary>Resolved services by file and name, with the length of their extends chain.</summary>
    private readonly Dictionary<string, (YMapping Service, int Depth)> _resolved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ComposeSourceFile?> _files = new(StringComparer.Ordinal);

    private ComposeReporter Reporter => session.Reporter;

    public YMapping ResolveAll(ComposeSourceFile file)
    {
        if (file.Root.Get("services") is not YMapping services)
        {
            return file.Root;
        }

        var entries = new List<KeyValuePair<YScalar, YNode>>(services.Entries.Count);
        foreach (var (key, value) in services.Entries)
        {
            entries.Add(new(key, value is YMapping ? Resolve(file, key.Value, [])?.Service ?? value : value));
        }

        return YTree.With(file.Root, "services", YTree.Map(services.Location, entries, services.Tag));
    }

    private (YMapping Service, int Depth)? Resolve(ComposeSourceFile file, string name, List<string> chain)
    {
        var id = $"{file.FullPath}#{name}";
        if (_resolved.TryGetValue(id, out var known))
        {
            return known;
        }

        if (YTree.Get(file.Root.Get("services"), name) is not YMapping service)
        {
            return null;
        }

        var path = $"services.{name}";
        if (service.Get("extends") is not { } extends)
        {
            return _resolved[id] = (service, 0);
        }

        var local = YTree.Without(service, "extends");
        chain.Add(id);
        try
        {
            if (!TryReadExtends(extends, path, out var baseName, out var baseFilePath))
            {
                return _resolved[id] = (local, 0);
            }

            var baseFile = baseFilePath is null ? file : LoadFile(baseFilePath, extends, path);
            if (baseFile is null)
            {
                return _resolved[id] = (local, 0);
            }

            var baseId = $"{baseFile.FullPath}#{baseName}";
            var cycleStart = chain.IndexOf(baseId);
            if (cycleStart >= 0)
            {
                var cycle = chain.Skip(cycleStart).Append(baseId).Select(Describe);
                Reporter.Error(ComposeCodes.Cycle, $"extends cycle: {string.Join(" -> ", cycle)}", extends, path + ".extends");
                return _resolved[id] = (local, 0);
            }

            // Checked before recursing, so a long chain cannot exhaust the stack.
            if (chain.Count > session.Limits.MaxExtendsDepth)
            {
                Reporter.Error(ComposeCodes.Limit, $"extends chain deeper than {session.Limits.MaxExtendsDepth} services", extends, path + ".extends");
                return _resolved[id] = (local, 0);
            }

            if (YTree.Get(baseFile.Root.Get("services"), baseName) is not YMapping)
            {
                var where = baseFilePath is null ? "this file" : $"'{baseFile.DisplayName}'";
                Reporter.Error(ComposeCodes.Reference, $"service '{name}' extends '{baseName}', which is not a service defined in {where}", extends, path + ".extends");
                return _resolved[id] = (local, 0);
            }

            var (resolvedBase, baseDepth) = Resolve(baseFile, baseName, chain) ?? (YTree.Map(extends.Location, []), 0);
            // Also checked here: a base resolved earlier (and cached) still counts with its whole chain.
            if (baseDepth + 1 > session.Limits.MaxExtendsDepth)
            {
                Reporter.Error(ComposeCodes.Limit, $"extends chain deeper than {session.Limits.MaxExtendsDepth} services", extends, path + ".extends");
                return _resolved[id] = (local, 0);
            }

            return _resolved[id] = (ComposeMerger.MergeService(resolvedBase, local, service.Location), baseDepth + 1);
        }
        finally
        {
            chain.RemoveAt(chain.Count - 1);
        }
    }

    private bool TryReadExtends(YNode extends, string path, out string service, out string? file)
    {
        service = "";
        file = null;
        switch (extends)
        {
            case YScalar { IsNull: false } s:
                service = s.Value;
                return true;
            case YMapping m:
                foreach (var (key, _) in m.Entries)
                {
                    if (key.Value is not ("service" or "file"))
                    {
                        Reporter.Unsupported($"extends.{key.Value}", key, $"{path}.extends.{key.Value}");
                    }
                }

                if (YTree.TextOf(m.Get("service")) is not { } name)
                {
                    Reporter.Error(ComposeCodes.Type, "'extends' needs 'service': the name of the service to extend", extends, path + ".extends");
                    return false;
                }

                service = name;
                file = YTree.TextOf(m.Get("file"));
                return true;
            default:
                Reporter.Error(ComposeCodes.Type, $"'extends' needs a service name or {{service, file}}, found a {extends.KindName}", extends, path + ".extends");
                return false;
        }
    }

    private ComposeSourceFile? LoadFile(string fullPath, YNode requestedBy, string path)
    {
        if (_files.TryGetValue(fullPath, out var known))
        {
            return known;
        }

        var raw = ComposeFileReader.ReadFile(session, fullPath, ComposeSession.DisplayName(fullPath), "extended compose file", requestedBy.Location, path + ".extends.file");
        ComposeSourceFile? loaded = null;
        if (raw is not null)
        {
            // An extended file is interpolated with this project's variables, and its relative paths
            // start at its own directory.
            var interpolated = (YMapping)new TreeInterpolator(new Interpolator(variables.Get, session.Limits.MaxInterpolationDepth), Reporter).Apply(raw.Root, "");
            var resolved = PathResolver.Resolve(interpolated, Path.GetDirectoryName(fullPath) ?? "/", session);
            loaded = raw with { Root = resolved };
        }

        return _files[fullPath] = loaded;
    }

    private static string Describe(string id)
    {
        var hash = id.LastIndexOf('#');
        return $"{ComposeSession.DisplayName(id[..hash])}:{id[(hash + 1)..]}";
    }
}
