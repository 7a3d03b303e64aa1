using System.Globalization;
using ZLayer.Runtime.Process;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// Resolves <c>container:TARGET</c> in <c>network_mode</c>, <c>pid_mode</c> and <c>ipc_mode</c> to
/// the namespace of another running container of this node, by its init process
/// (<c>/proc/PID/ns/KIND</c>), as Docker does. TARGET is a replica id, or a service of the same
/// deployment, whose replica with the same index is meant (a sidecar per replica), else its first.
/// The namespace lives as long as the target: a target that restarts leaves the joiner in the old
/// one, so a joiner should depend on its target and be restarted with it.
/// </summary>
internal static class SharedNamespaces
{
    /// <summary>The container TARGET names among <paramref name="records"/>, or null.</summary>
    public static ContainerRecord? FindTarget(IEnumerable<ContainerRecord> records, ReplicaLaunchSpec joiner, string target)
    {
        var candidates = records.Where(r => r.ReplicaId != joiner.ReplicaId).ToList();
        if (candidates.FirstOrDefault(r => r.ReplicaId == target) is { } exact)
        {
            return exact;
        }

        var replicas = candidates
            .Where(r => r.Labels.GetValueOrDefault(ProcessRuntime.LabelDeployment) == joiner.Deployment
                && r.Labels.GetValueOrDefault(ProcessRuntime.LabelService) == target)
            .OrderBy(r => int.TryParse(r.Labels.GetValueOrDefault(ProcessRuntime.LabelIndex), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .ToList();
        return replicas.FirstOrDefault(r => r.Labels.GetValueOrDefault(ProcessRuntime.LabelIndex) == joiner.Index.ToString(CultureInfo.InvariantCulture))
            ?? replicas.FirstOrDefault();
    }

    /// <summary>The path of <paramref name="kind"/> (net, pid, ipc) of a running container's init process.</summary>
    public static string PathOf(int pid, string kind) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/{kind}";

    /// <summary>The TARGET of a <c>container:TARGET</c> mode, or null for any other mode.</summary>
    public static string? TargetOf(string? mode)
    {
        var text = mode?.Trim() ?? "";
        return text.StartsWith("container:", StringComparison.Ordinal) && text.Length > "container:".Length ? text["container:".Length..] : null;
    }
}
