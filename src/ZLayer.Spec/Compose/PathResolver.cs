using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Makes the relative paths of one compose file absolute before it is merged with others, because
/// each file's paths have their own base: the project directory for <c>-f</c> files, the extended
/// file's directory for <c>extends.file</c>, and the include's project directory for included files.
/// Covers env files, bind-mount sources, <c>extends.file</c>, secret and config files and include entries.
/// </summary>
internal static class PathResolver
{
    public static YMapping Resolve(YMapping root, string baseDirectory, ComposeSession session)
    {
        string Abs(string path) => session.Absolute(path, baseDirectory);

        var result = root;
        if (root.Get("services") is YMapping services)
        {
            result = YTree.With(result, "services", Rewrite(services, service => service is YMapping s ? ResolveService(s, Abs) : service));
        }

        foreach (var section in (string[])["secrets", "configs"])
        {
            if (root.Get(section) is YMapping declarations)
            {
                result = YTree.With(result, section, Rewrite(declarations, d => d is YMapping m ? RewriteKey(m, "file", Abs) : d));
            }
        }

        if (root.Get("include") is YSequence includes)
        {
            result = YTree.With(result, "include", YTree.Seq(includes.Location, includes.Items.Select(i => ResolveInclude(i, Abs)), includes.Tag));
        }

        return result;
    }

    private static YMapping ResolveService(YMapping service, Func<string, string> abs)
    {
        var result = service;
        if (service.Get("env_file") is { } envFile)
        {
            result = YTree.With(result, "env_file", envFile switch
            {
                YScalar s => PathScalar(s, abs),
                YSequence seq => YTree.Seq(seq.Location, seq.Items.Select(item => item switch
                {
                    YScalar s => PathScalar(s, abs),
                    YMapping m => RewriteKey(m, "path", abs),
                    _ => item,
                }), seq.Tag),
                _ => envFile,
            });
        }

        if (service.Get("volumes") is YSequence volumes)
        {
            result = YTree.With(result, "volumes", YTree.Seq(volumes.Location, volumes.Items.Select(v => ResolveVolume(v, abs)), volumes.Tag));
        }

        if (service.Get("extends") is YMapping extends)
        {
            result = YTree.With(result, "extends", RewriteKey(extends, "file", abs));
        }

        return result;
    }

    private static YNode ResolveVolume(YNode volume, Func<string, string> abs)
    {
        switch (volume)
        {
            case YScalar { IsNull: false } s when VolumeSyntax.TrySplit(s.Value, out var v, out _) && v.Source is { } source && VolumeSyntax.IsBindSource(source):
                var absolute = abs(source);
                return absolute == source ? s : YTree.Text(s.Location, v.Options is null ? $"{absolute}:{v.Target}" : $"{absolute}:{v.Target}:{v.Options}");
            case YMapping m when YTree.TextOf(m.Get("type")) == "bind":
                return RewriteKey(m, "source", abs);
            default:
                return volume;
        }
    }

    private static YNode ResolveInclude(YNode include, Func<string, string> abs) => include switch
    {
        YScalar s => PathScalar(s, abs),
        YMapping m => RewriteKey(RewriteKey(RewriteKey(m, "path", abs), "project_directory", abs), "env_file", abs),
        _ => include,
    };

    /// <summary>Rewrites the path (or list of paths) under <paramref name="key"/>.</summary>
    private static YMapping RewriteKey(YMapping map, string key, Func<string, string> abs) => map.Get(key) switch
    {
        YScalar s => YTree.With(map, key, PathScalar(s, abs)),
        YSequence seq => YTree.With(map, key, YTree.Seq(seq.Location, seq.Items.Select(i => i is YScalar s ? PathScalar(s, abs) : i), seq.Tag)),
        _ => map,
    };

    private static YScalar PathScalar(YScalar scalar, Func<string, string> abs)
    {
        if (scalar.IsNull || scalar.Value.Length == 0)
        {
            return scalar;
        }

        var absolute = abs(scalar.Value);
        return absolute == scalar.Value ? scalar : YTree.Text(scalar.Location, absolute);
    }

    private static YMapping Rewrite(YMapping map, Func<YNode, YNode> rewrite) =>
        YTree.Map(map.Location, map.Entries.Select(e => new KeyValuePair<YScalar, YNode>(e.Key, rewrite(e.Value))), map.Tag);
}
