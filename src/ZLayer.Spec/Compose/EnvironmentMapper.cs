using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>env_file</c> and <c>environment</c> → <see cref="ServiceSpec.Env"/>. Env files are read in
/// order (later files win), then <c>environment</c> wins over all of them. A name written without a
/// value takes it from the project's variables, as Compose does.
/// </summary>
internal sealed class EnvironmentMapper(ComposeMappingContext context, ComposeVariables variables)
{
    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (fields.Take("env_file", out var envFileKey, out var envFileNode))
        {
            ReadEnvFiles(envFileNode, fields.PathOf("env_file"), service.Env);
            ServiceFields.Mark(service, "env", envFileKey);
        }

        if (fields.Take("environment", out var environmentKey, out var environmentNode))
        {
            var path = fields.PathOf("environment");
            foreach (var entry in context.Scalars.NamedValues(environmentNode, path))
            {
                if (entry.Value is not null)
                {
                    service.Env[entry.Name] = entry.Value;
                }
                else if (variables.Get(entry.Name) is { } inherited)
                {
                    service.Env[entry.Name] = inherited;
                }
                else
                {
                    context.Reporter.Warning(
                        ComposeCodes.UnsetVariable,
                        $"environment variable {entry.Name} has no value here and is not set in the environment; it is not passed to service '{fields.Name}'",
                        entry.NameLocation,
                        $"{path}.{entry.Name}");
                }
            }

            ServiceFields.Mark(service, "env", environmentKey);
        }
    }

    private void ReadEnvFiles(YNode node, string path, EnvMap env)
    {
        var items = node is YSequence seq ? seq.Items : [node];
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = node is YSequence ? $"{path}[{i}]" : path;
            var item = items[i];
            string? file;
            var required = true;
            var raw = false;
            switch (item)
            {
                case YScalar { IsNull: true }:
                    continue;
                case YScalar s:
                    file = s.Value;
                    break;
                case YMapping m:
                    file = YTree.TextOf(m.Get("path"));
                    foreach (var (key, value) in m.Entries)
                    {
                        switch (key.Value)
                        {
                            case "path":
                                break;
                            case "required":
                                context.Scalars.Bool(value, $"{itemPath}.required", out required);
                                break;
                            case "format":
                                raw = YTree.TextOf(value) == "raw";
                                if (!raw)
                                {
                                    context.Reporter.Error(ComposeCodes.Value, $"'{itemPath}.format': unknown env file format {ComposeScalars.Found(value)}; only 'raw' is defined", value, $"{itemPath}.format");
                                }

                                break;
                            default:
                                context.Reporter.Unsupported($"env_file.{key.Value}", key, $"{itemPath}.{key.Value}");
                                break;
                        }
                    }

                    break;
                default:
                    context.Reporter.Error(ComposeCodes.Type, $"'{itemPath}' needs a file path or {{path, required, format}}, found a {item.KindName}", item, itemPath);
                    continue;
            }

            if (file is null)
            {
                context.Reporter.Error(ComposeCodes.Type, $"'{itemPath}' needs 'path'", item, itemPath);
                continue;
            }

            if (!required && !File.Exists(file))
            {
                continue;
            }

            var text = context.Session.ReadText(file, "env file", item.Location, itemPath);
            if (text is null)
            {
                continue;
            }

            // Values already read from earlier env files come first, then the project's variables.
            var entries = DotEnvParser.Parse(
                text,
                ComposeSession.DisplayName(file),
                name => env.TryGetValue(name, out var earlier) ? earlier : variables.Get(name),
                outerWins: false,
                raw,
                context.Reporter,
                context.Session.Limits.MaxInterpolationDepth);
            foreach (var entry in entries)
            {
                env[entry.Key] = entry.Value;
            }
        }
    }
}
