using ZLayer.Networking.Host;

namespace ZLayer.Networking.Namespaces;

/// <summary>
/// Persistent, named network namespaces for replicas, kept where iproute2 keeps them: a bind mount
/// of the namespace at <c>/run/netns/zlayer-REPLICA</c>, so it outlives the processes in it, a
/// daemon restart can find it again, and <c>ip netns exec</c> works on it for debugging.
/// </summary>
/// <remarks>
/// Creation and deletion go through <c>ip netns add|delete</c> rather than unshare(2) and a bind
/// mount done here. unshare(CLONE_NEWNET) moves the calling thread, and in .NET that is a pool
/// thread the runtime reuses for unrelated work; iproute2 does it in a process of its own, and
/// also sets <c>/run/netns</c> up as a shared mount so the namespace stays visible to mount
/// namespaces created later (runc's), which is the part that is easy to get subtly wrong.
/// </remarks>
public sealed class NetworkNamespaces(TimeSpan? commandTimeout = null)
{
    /// <summary>Every namespace ZLayer creates has this prefix; others in the directory are not ours.</summary>
    public const string Prefix = "zlayer-";

    /// <summary>Where iproute2 mounts named namespaces.</summary>
    public const string Directory = "/run/netns";

    // Longest name a directory entry may have (NAME_MAX).
    private const int MaxNameLength = 255;

    private readonly TimeSpan _timeout = commandTimeout ?? TimeSpan.FromSeconds(30);

    /// <summary>The namespace name for <paramref name="replicaId"/>, after checking the id can be part of a file name.</summary>
    public static string NameFor(string replicaId)
    {
        if (string.IsNullOrEmpty(replicaId))
        {
            throw new NetworkNamespaceException("a replica id for a network namespace must not be empty");
        }
        foreach (var c in replicaId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                throw new NetworkNamespaceException($"replica id '{replicaId}' cannot name a network namespace: '{c}' is not a letter, digit, '_', '.' or '-'");
            }
        }
        var name = Prefix + replicaId;
        if (name.Length > MaxNameLength)
        {
            throw new NetworkNamespaceException($"replica id '{replicaId}' is too long for a network namespace name ({name.Length} > {MaxNameLength} characters)");
        }
        return name;
    }

    public static string PathFor(string replicaId) => Path.Combine(Directory, NameFor(replicaId));

    /// <summary>Creates the replica's namespace; an existing one is an error, since it may hold another replica's interfaces.</summary>
    public async Task<NetworkNamespace> CreateAsync(string replicaId, CancellationToken cancellationToken = default)
    {
        var name = NameFor(replicaId);
        var path = Path.Combine(Directory, name);
        if (File.Exists(path))
        {
            throw new NetworkNamespaceException($"network namespace {name} already exists at {path}");
        }
        var result = await HostCommand.RunAsync(Ip(), ["netns", "add", name], _timeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new NetworkNamespaceException($"cannot create network namespace {name}: ip netns add exited with status {result.ExitCode}: {result.Stderr.Trim()}");
        }
        return new NetworkNamespace(name, replicaId, path);
    }

    /// <summary>
    /// Unmounts and removes the replica's namespace; one already gone is not an error. The kernel
    /// frees the namespace, and the container ends of its veth pairs, once no process is left in it.
    /// </summary>
    public async Task DeleteAsync(string replicaId, CancellationToken cancellationToken = default)
    {
        var name = NameFor(replicaId);
        var path = Path.Combine(Directory, name);
        if (!File.Exists(path))
        {
            return;
        }
        var result = await HostCommand.RunAsync(Ip(), ["netns", "delete", name], _timeout, cancellationToken);
        // Another caller may have deleted it between the check and the command: still the outcome asked for.
        if (result.ExitCode != 0 && File.Exists(path))
        {
            throw new NetworkNamespaceException($"cannot delete network namespace {name}: ip netns delete exited with status {result.ExitCode}: {result.Stderr.Trim()}");
        }
    }

    /// <summary>ZLayer's namespaces present now, by name; a daemon uses this to find those left by replicas that no longer exist.</summary>
    public IReadOnlyList<NetworkNamespace> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }
        return System.IO.Directory.EnumerateFiles(Directory, Prefix + "*")
            .Select(path => Path.GetFileName(path))
            .Order(StringComparer.Ordinal)
            .Select(name => new NetworkNamespace(name, name[Prefix.Length..], Path.Combine(Directory, name)))
            .ToList();
    }

    private static string Ip()
    {
        try
        {
            return HostCommand.Resolve("ip", "iproute2");
        }
        catch (HostCommandException e)
        {
            throw new NetworkNamespaceException(e.Message, e);
        }
    }
}
