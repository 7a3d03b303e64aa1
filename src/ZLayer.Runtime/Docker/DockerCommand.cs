using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// The agent's argv as the engine's Entrypoint and Cmd, with the same meaning as in the runc
/// runtime (<see cref="ProcessArgs"/>), where the engine itself merges the image's ENTRYPOINT and
/// CMD: an argv that replaces the image's command becomes the Entrypoint (so the image's CMD is
/// dropped too); args under <c>keep_image_entrypoint</c> become the Cmd after the image's
/// ENTRYPOINT; no argv at all leaves both to the image.
/// </summary>
internal static class DockerCommand
{
    public static void Apply(ReplicaLaunchSpec replica, JsonObject config)
    {
        var command = replica.Service.Command;
        var entrypointSet = command?.Entrypoint is not null;
        var argsSet = command?.Args is { Count: > 0 };
        if (replica.Command.Any(a => a.Contains('\0')))
        {
            throw BundleError.For(replica.ServiceName, "an argument contains a NUL character");
        }

        if (argsSet && !entrypointSet && command!.KeepImageEntrypoint)
        {
            config["Cmd"] = Strings(replica.Command);
            return;
        }

        if (replica.Command.Count > 0)
        {
            if (replica.Command[0].Length == 0)
            {
                throw BundleError.For(replica.ServiceName, "the program to run (argv[0]) is an empty string");
            }

            config["Entrypoint"] = Strings(replica.Command);
            config["Cmd"] = new JsonArray();
            return;
        }

        if (entrypointSet)
        {
            throw BundleError.For(replica.ServiceName, "command.entrypoint is empty and command.args gives nothing to run (an explicit entrypoint drops the image's CMD)");
        }
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);
}
