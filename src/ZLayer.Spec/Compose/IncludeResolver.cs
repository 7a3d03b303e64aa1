using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Compose's top-level <c>include</c>: each entry is loaded as its own project (own project directory,
/// own env files) and its services, volumes, networks, secrets and configs are copied in. A name
/// defined differently on both sides is an error; includes nest up to a limit and a cycle is an error
/// that names the files in it.
/// </summary>
internal sealed class IncludeResolver(ComposeSession session, ComposeProjectLoader loader)
{
    private static readonly string[] ImportedSections = ["services", "volumes", "networks", "secrets", "configs"];

    private ComposeReporter Reporter => session.Reporter;

    private sealed record IncludeEntry(List<(string Path, YNode Node)> Files, string ProjectDirectory, List<(string Path, YNode Node)>? EnvFiles);

    public ComposeProject Apply(YMapping root, ComposeVariables variables, IReadOnlyList<string> chain, int depth)
    {
        var included = new Dictionary<string, ComposeVariables>(StringComparer.Ordinal);
        if (root.Get("include") is not { } include)
        {
            return new ComposeProject(root, variables, included);
        }

        root = YTree.Without(root, "include");
        if (include is not YSequence entries)
        {
            if (!YTree.IsNull(include))
            {
                Reporter.Error(ComposeCodes.Type, $"'include' needs a list of files or {{path, project_directory, env_file}} entries, found a {include.KindName}", include, "include");
            }

            return new ComposeProject(root, variables, included);
        }

        for (var i = 0; i < entries.Items.Count; i++)
        {
            var item = entries.Items[i];
            var path = $"include[{i}]";
            if (!TryReadEntry(item, path, out var entry))
            {
                continue;
            }

            if (depth >= session.Limits.MaxIncludeDepth)
            {
                Reporter.Error(ComposeCodes.Limit, $"includes nest deeper than {session.Limits.MaxIncludeDepth} levels", item, path);
                continue;
            }

            var cyclic = entry.Files.FirstOrDefault(f => chain.Contains(f.Path, StringComparer.Ordinal));
            if (cyclic.Path is not null)
            {
                var start = chain.ToList().IndexOf(cyclic.Path);
                var cycle = chain.Skip(start).Append(cyclic.Path).Select(ComposeSession.DisplayName);
                Reporter.Error(ComposeCodes.Cycle, $"include cycle: {string.Join(" -> ", cycle)}", cyclic.Node, path);
                continue;
            }

            var files = new List<ComposeSourceFile>();
            foreach (var (file, node) in entry.Files)
            {
                if (ComposeFileReader.ReadFile(session, file, ComposeSession.DisplayName(file), "included compose file", node.Location, path) is { } read)
                {
                    files.Add(read);
                }
            }

            if (files.Count != entry.Files.Count)
            {
                continue;
            }

            var own = IncludeVariables(variables, entry, path);
            var project = loader.Load(files, entry.ProjectDirectory, own, [.. chain, .. entry.Files.Select(f => f.Path)], depth + 1);
            if (project is not null)
            {
                root = Import(root, project, entry.Files[0].Path, included);
            }
        }

        return new ComposeProject(root, variables, included);
    }

    private bool TryReadEntry(YNode item, string path, out IncludeEntry entry)
    {
        entry = null!;
        switch (item)
        {
            case YScalar { IsNull: false } s:
                entry = new IncludeEntry([(s.Value, s)], Path.GetDirectoryName(s.Value) ?? "/", null);
                return true;
            case YMapping m:
                foreach (var (key, _) in m.Entries)
                {
                    if (key.Value is not ("path" or "project_directory" or "env_file"))
                    {
                        Reporter.Unsupported($"include.{key.Value}", key, $"{path}.{key.Value}");
                    }
                }

                var files = Paths(m.Get("path"));
                if (files is not { Count: > 0 })
                {
                    Reporter.Error(ComposeCodes.Type, "an include entry needs 'path': a compose file or a list of them", item, path);
                    return false;
                }

                var projectDirectory = YTree.TextOf(m.Get("project_directory")) ?? Path.GetDirectoryName(files[0].Path) ?? "/";
                entry = new IncludeEntry(files, projectDirectory, m.Get("env_file") is { } envFile ? Paths(envFile) ?? [] : null);
                return true;
            default:
                Reporter.Error(ComposeCodes.Type, $"an include entry is a file path or {{path, project_directory, env_file}}, found a {item.KindName}", item, path);
                return false;
        }
    }

    private static List<(string Path, YNode Node)>? Paths(YNode? node) => node switch
    {
        YScalar { IsNull: false } s => [(s.Value, s)],
        YSequence seq => [.. seq.Items.OfType<YScalar>().Where(s => !s.IsNull).Select(s => (s.Value, (YNode)s))],
        _ => null,
    };

    /// <summary>
    /// The included project's variables: what the including project already has wins, and the include's
    /// env files (by default the <c>.env</c> of its project directory) fill in the rest.
    /// </summary>
    private ComposeVariables IncludeVariables(ComposeVariables outer, IncludeEntry entry, string path)
    {
        var envFiles = entry.EnvFiles ?? [];
        if (entry.EnvFiles is null)
        {
            var defaultEnv = Path.Combine(entry.ProjectDirectory, ".env");
            if (File.Exists(defaultEnv))
            {
                envFiles.Add((defaultEnv, entry.Files[0].Node));
            }
        }

        var values = new List<KeyValuePair<string, string>>();
        foreach (var (file, node) in envFiles)
        {
            var text = session.ReadText(file, "env file", node.Location, path + ".env_file");
            if (text is null)
            {
                continue;
            }

            var parsed = DotEnvParser.Parse(text, ComposeSession.DisplayName(file), outer.Get, outerWins: true, raw: false, Reporter, session.Limits.MaxInterpolationDepth);
            values.AddRange(parsed.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)));
        }

        // Later env files win over earlier ones, the including project over all of them.
        values.Reverse();
        return ComposeVariables.Layered(outer.Values, values);
    }

    private YMapping Import(YMapping root, ComposeProject project, string includedFile, Dictionary<string, ComposeVariables> included)
    {
        foreach (var section in ImportedSections)
        {
            if (project.Root.Get(section) is not YMapping incoming || incoming.Entries.Count == 0)
            {
                continue;
            }

            var existing = root.Get(section) as YMapping;
            var entries = existing?.Entries.ToList() ?? [];
            foreach (var (key, value) in incoming.Entries)
            {
                var clash = existing?.Entries.FirstOrDefault(e => e.Key.Value == key.Value);
                if (clash is { Key: not null } other)
                {
                    if (!YTree.SameContent(other.Value, value))
                    {
                        Reporter.Error(
                            ComposeCodes.Conflict,
                            $"{section}.{key.Value} is defined at {other.Key.Location} and differently in the included file '{ComposeSession.DisplayName(includedFile)}'",
                            key,
                            $"{section}.{key.Value}");
                    }

                    continue;
                }

                entries.Add(new(key, value));
                if (section == "services")
                {
                    included[key.Value] = project.VariablesOf(key.Value);
                }
            }

            root = YTree.With(root, section, YTree.Map(existing?.Location ?? incoming.Location, entries));
        }

        return root;
    }
}
