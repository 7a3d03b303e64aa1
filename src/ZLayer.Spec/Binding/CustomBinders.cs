using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Binding;

/// <summary>
/// The places where the written shape differs from the model's: compatibility forms (SPEC.md Part A
/// item 2) and upstream's scalar-or-map fields. Each returns false to fall back to the plain rules.
/// </summary>
internal static class CustomBinders
{
    public static bool TryBind(Type type, YNode node, string path, SpecBinder binder, out object? value)
    {
        value = null;
        if (type == typeof(EnvMap))
        {
            return BindEnv(node, path, binder, out value);
        }

        if (type == typeof(CommandSpec) && node is not YMapping)
        {
            return BindCommandCompat(node, path, binder, out value);
        }

        if (type == typeof(InitSpec) && node is YSequence steps)
        {
            binder.Compat($"'{path}' is a bare list of steps; write it under 'steps:'", node, path);
            var spec = new InitSpec { Location = node.Location, SpecPath = path };
            if (binder.TryBind(typeof(List<InitStepSpec>), steps, SpecBinder.Child(path, "steps"), out var bound))
            {
                spec.Steps = (List<InitStepSpec>)bound!;
            }

            value = spec;
            return true;
        }

        if (type == typeof(HealthCheckSpec) && node is YMapping check && check.Get("type") is YScalar { Value: "exec" } execType)
        {
            return BindExecCheck(check, execType, path, binder, out value);
        }

        if (type == typeof(NetworkMode))
        {
            return BindNetworkMode(node, path, binder, out value);
        }

        if (type == typeof(Affinity))
        {
            return BindAffinity(node, path, binder, out value);
        }

        return false;
    }

    private static bool BindEnv(YNode node, string path, SpecBinder binder, out object? value)
    {
        var env = new EnvMap();
        value = env;
        switch (node)
        {
            case YMapping map:
                foreach (var (k, v) in map.Entries)
                {
                    if (v is YScalar s)
                    {
                        env[k.Value] = s.IsNull ? "" : s.Value;
                    }
                    else
                    {
                        binder.Error("type", $"'{path}.{k.Value}' needs a text value, found a {v.KindName}", v, $"{path}.{k.Value}");
                    }
                }

                return true;
            case YSequence seq:
                binder.Compat($"'{path}' is a list of {{name, value}}; write it as a map NAME: value", node, path);
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    var itemPath = $"{path}[{i}]";
                    if (seq.Items[i] is not YMapping item || item.Get("name") is not YScalar { IsNull: false } name)
                    {
                        binder.Error("type", $"'{itemPath}' needs a map with 'name' and 'value'", seq.Items[i], itemPath);
                        continue;
                    }

                    foreach (var (k, _) in item.Entries)
                    {
                        if (k.Value is not ("name" or "value"))
                        {
                            binder.Error("unknown-key", $"unknown key '{k.Value}' in '{itemPath}'{Suggestions.DidYouMean(k.Value, ["name", "value"])}", k, itemPath);
                        }
                    }

                    var v = item.Get("value");
                    if (v is not null and not YScalar)
                    {
                        binder.Error("type", $"'{itemPath}.value' needs a text value, found a {v.KindName}", v, itemPath + ".value");
                        continue;
                    }

                    env[name.Value] = v is YScalar { IsNull: false } sv ? sv.Value : "";
                }

                return true;
            default:
                // Reported; the service keeps an empty env rather than none.
                binder.Error("type", $"'{path}' needs a map of NAME: value, found '{((YScalar)node).Value}'", node, path);
                return true;
        }
    }

    private static bool BindCommandCompat(YNode node, string path, SpecBinder binder, out object? value)
    {
        var spec = new CommandSpec { Location = node.Location, SpecPath = path, KeepImageEntrypoint = true };
        value = spec;
        switch (node)
        {
            case YSequence seq:
                binder.Compat($"'{path}' is a list; upstream takes a map. Read with Docker CMD semantics (the image ENTRYPOINT is kept); write 'args:' under '{path}'", node, path);
                spec.Args = [];
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (seq.Items[i] is YScalar { IsNull: false } s)
                    {
                        spec.Args.Add(s.Value);
                    }
                    else
                    {
                        binder.Error("type", $"'{path}[{i}]' needs a text value, found a {seq.Items[i].KindName}", seq.Items[i], $"{path}[{i}]");
                    }
                }

                return true;
            case YScalar s:
                binder.Compat($"'{path}' is a string; upstream takes a map. Split into words with Docker CMD semantics (the image ENTRYPOINT is kept); write 'args:' under '{path}'", node, path);
                if (!ShellWords.TrySplit(s.Value, out var words, out var error))
                {
                    binder.Error("type", $"'{path}': {error}", node, path);
                }

                spec.Args = words;
                return true;
            default:
                return false;
        }
    }

    private static bool BindExecCheck(YMapping check, YScalar execType, string path, SpecBinder binder, out object? value)
    {
        binder.Compat($"'{path}.type: exec' is not an upstream check type; read as 'type: command'", execType, path + ".type");
        var entries = new List<KeyValuePair<YScalar, YNode>>();
        foreach (var (k, v) in check.Entries)
        {
            if (k.Value == "type")
            {
                entries.Add(new(k, new YScalar(v.Location, "command", true)));
            }
            else if (k.Value == "command" && v is YSequence seq)
            {
                var words = seq.Items.OfType<YScalar>().Select(s => s.Value).ToList();
                // Docker's healthcheck test forms: ["CMD", ...] runs argv, ["CMD-SHELL", "..."] runs a shell string.
                var line = words is ["CMD-SHELL", var shell] ? shell
                    : words is ["CMD", .. var argv] ? ShellWords.Join(argv)
                    : ShellWords.Join(words);
                entries.Add(new(k, new YScalar(v.Location, line, false)));
            }
            else
            {
                entries.Add(new(k, v));
            }
        }

        value = binder.BindObjectDefault(typeof(HealthCheckSpec), new YMapping(check.Location, entries), path);
        return true;
    }

    private static bool BindNetworkMode(YNode node, string path, SpecBinder binder, out object? value)
    {
        // On an error (reported below) the service keeps the default mode rather than none.
        value = NetworkMode.Default;
        switch (node)
        {
            case YScalar s:
                if (NetworkMode.TryParse(s.Value, out var mode, out var error))
                {
                    value = mode;
                }
                else
                {
                    binder.Error("type", $"'{path}': {error}", node, path);
                }

                return true;
            case YMapping { Entries.Count: 1 } map:
                var (key, inner) = map.Entries[0];
                var field = key.Value switch { "bridge" => "name", "container" => "id", _ => null };
                if (field is not null && inner is YMapping innerMap && innerMap.Get(field) is YScalar { IsNull: false } target && innerMap.Entries.Count == 1)
                {
                    value = new NetworkMode(key.Value == "bridge" ? NetworkModeKind.Bridge : NetworkModeKind.Container, target.Value);
                    return true;
                }

                break;
        }

        binder.Error("type", $"'{path}' needs default, host, none, bridge, bridge:NAME, container:ID, {{bridge: {{name}}}} or {{container: {{id}}}}", node, path);
        return true;
    }

    private static bool BindAffinity(YNode node, string path, SpecBinder binder, out object? value)
    {
        value = null;
        switch (node)
        {
            case YScalar { Value: "spread" }:
                value = new Affinity(AffinityKind.Spread);
                return true;
            case YScalar { Value: "pack" }:
                value = new Affinity(AffinityKind.Pack);
                return true;
            case YMapping { Entries.Count: 1 } map when map.Get("pin") is YScalar { IsNull: false } pin:
                value = new Affinity(AffinityKind.Pin, pin.Value);
                return true;
            default:
                binder.Error("type", $"'{path}' needs spread, pack or {{pin: \"key=value\"}}", node, path);
                return true;
        }
    }
}
