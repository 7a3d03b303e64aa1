namespace ZLayer.Control;

/// <summary>
/// Where the daemon listens and keeps its data by default. One place, because `zlayer serve`
/// must listen exactly where the client looks: root uses the system directories (/run/zlayer,
/// /var/lib/zlayer); anyone else the XDG directories, so an unprivileged user runs a daemon of
/// their own without permissions on the system ones.
/// </summary>
public sealed class ZLayerPaths(Func<string, string?> environment, bool isRoot, long uid)
{
    /// <summary>Upstream ZLayer's API port, kept so that existing clients and firewall rules fit.</summary>
    public const int DefaultApiPort = 3669;

    public const string HostVariable = "ZLAYER_HOST";

    public const string DataDirVariable = "ZLAYER_DATA_DIR";

    public static ZLayerPaths Current { get; } = new(Environment.GetEnvironmentVariable, Environment.IsPrivilegedProcess, CurrentUid());

    /// <summary>The Unix socket of the API.</summary>
    public string DefaultSocket
    {
        get
        {
            if (isRoot)
            {
                return "/run/zlayer/zlayer.sock";
            }

            // XDG_RUNTIME_DIR is per-user, mode 0700 and cleared at logout: the place for sockets.
            // Without it (containers, cron, su), a per-uid directory in /tmp keeps users apart.
            var runtime = environment("XDG_RUNTIME_DIR");
            return !string.IsNullOrEmpty(runtime) && Path.IsPathRooted(runtime)
                ? Path.Combine(runtime, "zlayer", "zlayer.sock")
                : $"/tmp/zlayer-{(uid >= 0 ? uid.ToString() : Environment.UserName)}/zlayer.sock";
        }
    }

    /// <summary>The address clients use when <c>ZLAYER_HOST</c> is not set.</summary>
    public string DefaultHost => "unix://" + DefaultSocket;

    /// <summary><c>ZLAYER_HOST</c> when set, else <see cref="DefaultHost"/>.</summary>
    public string Host => environment(HostVariable) is { Length: > 0 } host ? host : DefaultHost;

    /// <summary>The store, blobs, bundles and logs: <c>ZLAYER_DATA_DIR</c>, else the system or XDG data directory.</summary>
    public string DataDirectory
    {
        get
        {
            if (environment(DataDirVariable) is { Length: > 0 } configured)
            {
                return Path.GetFullPath(configured);
            }

            if (isRoot)
            {
                return "/var/lib/zlayer";
            }

            var dataHome = environment("XDG_DATA_HOME");
            if (string.IsNullOrEmpty(dataHome) || !Path.IsPathRooted(dataHome))
            {
                // The XDG spec's default when the variable is unset or relative.
                dataHome = Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            }

            return Path.Combine(dataHome, "zlayer");
        }
    }

    /// <summary>The real uid, from /proc (Linux) so that no native interop is needed; -1 when unknown.</summary>
    private static long CurrentUid()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var fields = line[4..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], out var uid) ? uid : -1;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or /proc not mounted: fall through to the neutral answer.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }

        return -1;
    }
}
