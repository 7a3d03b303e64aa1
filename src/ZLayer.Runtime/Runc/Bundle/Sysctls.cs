namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// <c>sysctls</c>, limited to the keys the kernel scopes to a namespace the replica owns: net.*
/// (its network namespace) and the IPC ones kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.*.
/// Anything else would change the whole node, so it is refused by name; so are net.* keys with the
/// host's network and IPC keys with the host's IPC namespace. Keys may be written with '/' as in
/// /proc/sys paths.
/// </summary>
public static class Sysctls
{
    public static IReadOnlyList<KeyValuePair<string, string>> Resolve(string service, IReadOnlyDictionary<string, string> sysctls, bool hostNetwork, bool hostIpc)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (raw, value) in sysctls)
        {
            var key = raw.Trim().Replace('/', '.');
            if (key.Length == 0 || key.Split('.').Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
            {
                throw BundleError.For(service, $"sysctls: '{raw}' is not a sysctl name such as net.ipv4.ip_forward");
            }

            var network = key.StartsWith("net.", StringComparison.Ordinal);
            var ipc = key.StartsWith("kernel.shm", StringComparison.Ordinal) || key.StartsWith("kernel.msg", StringComparison.Ordinal)
                || key == "kernel.sem" || key.StartsWith("fs.mqueue.", StringComparison.Ordinal);
            if (!network && !ipc)
            {
                throw BundleError.For(service, $"sysctls: '{raw}' is not namespaced: it would change the whole node (allowed: net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)");
            }

            if (network && hostNetwork)
            {
                throw BundleError.For(service, $"sysctls: '{raw}' would change the node's network settings: the service uses the host's network");
            }

            if (ipc && hostIpc)
            {
                throw BundleError.For(service, $"sysctls: '{raw}' would change the node's IPC settings: the service uses the host's IPC namespace");
            }

            if (value.Contains('\0') || value.Contains('\n'))
            {
                throw BundleError.For(service, $"sysctls: the value of '{raw}' contains a NUL or newline");
            }

            result.Add(new(key, value));
        }

        return result;
    }
}
