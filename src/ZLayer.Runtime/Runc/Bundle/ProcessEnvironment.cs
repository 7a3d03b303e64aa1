namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// The environment of a container replica, lowest priority first (SPEC.md §3.4): the image's Env,
/// then defaults (PATH when the image has none, TERM=xterm, HOSTNAME, HOME from the user's passwd
/// entry), then the replica's environment. A later layer replaces a variable's value where the
/// variable first appeared, so the order is stable: image order, then new names as they come.
/// </summary>
/// <remarks>
/// The agent fills PATH and HOME from the daemon's own environment, which suits a host process but
/// would hide the image's PATH (e.g. a toolchain under /usr/local/go/bin). For a container those
/// two are taken from the replica only when the service's <c>env</c> names them.
/// </remarks>
public static class ProcessEnvironment
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly string[] HostDerived = ["PATH", "HOME"];

    public static IReadOnlyList<string> Build(ReplicaLaunchSpec replica, IReadOnlyList<string> imageEnv, string hostname, string home)
    {
        var names = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string value)
        {
            if (!values.ContainsKey(name))
            {
                names.Add(name);
            }

            values[name] = value;
        }

        foreach (var entry in imageEnv)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            // The image spec allows a bare NAME (no '='); Docker reads it as an empty value.
            var (name, value) = eq < 0 ? (entry, "") : (entry[..eq], entry[(eq + 1)..]);
            if (name.Length > 0)
            {
                Set(name, value);
            }
        }

        if (!values.ContainsKey("PATH"))
        {
            Set("PATH", DefaultPath);
        }

        if (!values.ContainsKey("TERM"))
        {
            Set("TERM", "xterm");
        }

        Set("HOSTNAME", hostname);
        if (!values.ContainsKey("HOME"))
        {
            Set("HOME", home);
        }

        foreach (var (name, value) in replica.Environment)
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
            {
                throw BundleError.For(replica.ServiceName, $"invalid environment variable name \"{name}\"");
            }

            if (value.Contains('\0'))
            {
                throw BundleError.For(replica.ServiceName, $"environment variable {name} contains a NUL character");
            }

            if (HostDerived.Contains(name) && !replica.Service.Env.ContainsKey(name))
            {
                continue;
            }

            Set(name, value);
        }

        return [.. names.Select(n => $"{n}={values[n]}")];
    }
}
