using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>command</c>, <c>entrypoint</c> and <c>working_dir</c> → <see cref="CommandSpec"/>. A compose
/// <c>command</c> is Docker's CMD, so the image ENTRYPOINT stays in front of it; an <c>entrypoint</c>
/// replaces the image's and drops its CMD, as Docker does.
/// </summary>
internal sealed class CommandMapper(ComposeMappingContext context)
{
    public void Map(ServiceFields fields, ServiceSpec service)
    {
        var command = new CommandSpec { SpecPath = fields.Path };
        YScalar? firstKey = null;
        if (fields.Take("command", out var commandKey, out var commandNode) && !YTree.IsNull(commandNode)
            && Words(commandNode, fields.PathOf("command")) is { } args)
        {
            command.Args = args;
            command.KeepImageEntrypoint = true;
            ServiceFields.Mark(command, "args", commandKey);
            firstKey = commandKey;
        }

        if (fields.Take("entrypoint", out var entrypointKey, out var entrypointNode) && !YTree.IsNull(entrypointNode)
            && Words(entrypointNode, fields.PathOf("entrypoint")) is { } entrypoint)
        {
            command.Entrypoint = entrypoint;
            ServiceFields.Mark(command, "entrypoint", entrypointKey);
            firstKey ??= entrypointKey;
        }

        if (fields.Take("working_dir", out var workdirKey, out var workdirNode) && context.Scalars.Text(workdirNode, fields.PathOf("working_dir"), out var workdir))
        {
            command.Workdir = workdir;
            ServiceFields.Mark(command, "workdir", workdirKey);
            firstKey ??= workdirKey;
        }

        if (firstKey is not null)
        {
            command.Location = firstKey.Location;
            service.Command = command;
            ServiceFields.Mark(service, "command", firstKey);
        }
    }

    /// <summary>A string is split into words as a shell would (Compose does the same); a list is taken as written.</summary>
    private List<string>? Words(YNode node, string path)
    {
        if (node is YScalar s)
        {
            if (ShellWords.TrySplit(s.Value, out var words, out var error))
            {
                return words;
            }

            context.Reporter.Error(ComposeCodes.Value, $"'{path}': {error}", node, path);
            return null;
        }

        if (node is YSequence)
        {
            return [.. context.Scalars.TextList(node, path).Select(w => w.Text)];
        }

        context.Reporter.Error(ComposeCodes.Type, $"'{path}' needs a string or a list of strings, found a map", node, path);
        return null;
    }
}
