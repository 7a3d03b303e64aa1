using ZLayer.Images.Manifests;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// The argv of a container replica: SPEC.md §3.3 with the image's ENTRYPOINT and CMD, which only
/// the runtime knows (the agent builds <see cref="ReplicaLaunchSpec.Command"/> without the image).
/// </summary>
/// <remarks>
/// <para>The agent's <see cref="ReplicaLaunchSpec.Command"/> is <c>command.entrypoint ++ command.args</c>,
/// and it is taken as written whenever it is non-empty: the agent owns everything decided from the
/// spec alone. What the builder adds is what depends on the image:</para>
/// <list type="table">
/// <item><term>entrypoint set (even empty)</term><description>the agent's argv; the image ENTRYPOINT and CMD are both dropped (Docker's --entrypoint).</description></item>
/// <item><term>only non-empty args, map form</term><description>the agent's argv alone: upstream replaces the whole command, the image ENTRYPOINT is not kept.</description></item>
/// <item><term>only non-empty args, keep_image_entrypoint (the list/string compat form, compose's command)</term><description>image ENTRYPOINT ++ the agent's argv (Docker's CMD override).</description></item>
/// <item><term>neither (args empty counts as unset)</term><description>image ENTRYPOINT ++ image CMD.</description></item>
/// </list>
/// <para>A non-empty argv the spec's <c>command</c> does not explain (a caller that decided the argv
/// itself) is taken as final. Upstream falls back to <c>/bin/sh</c> when nothing gives an argv; a replica started
/// that way exits at once and crash-loops, so an empty argv is an error naming the service instead.</para>
/// </remarks>
public static class ProcessArgs
{
    public static IReadOnlyList<string> Resolve(ReplicaLaunchSpec replica, ImageConfig image)
    {
        var command = replica.Service.Command;
        var entrypointSet = command?.Entrypoint is not null;
        var argsSet = command?.Args is { Count: > 0 };
        List<string> argv;
        if (entrypointSet)
        {
            argv = [.. replica.Command];
        }
        else if (argsSet)
        {
            argv = command!.KeepImageEntrypoint ? [.. image.Entrypoint ?? [], .. replica.Command] : [.. replica.Command];
        }
        else if (replica.Command.Count > 0)
        {
            argv = [.. replica.Command];
        }
        else
        {
            argv = [.. image.Entrypoint ?? [], .. image.Cmd ?? []];
        }

        if (argv.Count == 0)
        {
            var why = entrypointSet
                ? "command.entrypoint is empty and command.args gives nothing to run (an explicit entrypoint drops the image's CMD)"
                : "no command to run: the spec has no command.entrypoint or command.args and the image has neither ENTRYPOINT nor CMD";
            throw BundleError.For(replica.ServiceName, why);
        }

        if (argv[0].Length == 0)
        {
            throw BundleError.For(replica.ServiceName, "the program to run (argv[0]) is an empty string");
        }

        if (argv.Any(a => a.Contains('\0')))
        {
            throw BundleError.For(replica.ServiceName, "an argument contains a NUL character");
        }

        return argv;
    }
}
