namespace ZLayer.Runtime.Docker;

/// <summary>
/// Where the Docker API socket is: DOCKER_HOST when it names a unix:// socket, else Docker's
/// default, else Podman's rootless then rootful service socket. Only Unix sockets are spoken to:
/// a tcp:// DOCKER_HOST is refused by name rather than silently ignored.
/// </summary>
public static class DockerSocket
{
    public const string DockerDefault = "/var/run/docker.sock";
    public const string PodmanRootful = "/run/podman/podman.sock";

    /// <summary>The sockets to try, in order, for this environment.</summary>
    public static IReadOnlyList<string> Candidates(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("DOCKER_HOST") is { Length: > 0 } host)
        {
            return host.StartsWith("unix://", StringComparison.Ordinal) && host.Length > "unix://".Length
                ? [host["unix://".Length..]]
                : throw new RuntimeException($"DOCKER_HOST '{host}' is not a unix:// socket; the docker runtime speaks to a local engine over its Unix socket only");
        }

        var candidates = new List<string> { DockerDefault };
        if (environment("XDG_RUNTIME_DIR") is { Length: > 0 } runtimeDirectory)
        {
            candidates.Add(Path.Combine(runtimeDirectory, "podman", "podman.sock"));
        }

        candidates.Add(PodmanRootful);
        return candidates;
    }

    /// <summary>The first candidate that exists, or the first candidate (for the error message) when none does.</summary>
    public static string Locate(Func<string, string?>? environment = null)
    {
        var candidates = Candidates(environment);
        return candidates.FirstOrDefault(Path.Exists) ?? candidates[0];
    }
}
