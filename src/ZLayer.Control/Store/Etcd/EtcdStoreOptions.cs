namespace ZLayer.Control.Store.Etcd;

/// <summary>Where the etcd cluster is and how to talk to it.</summary>
public sealed record EtcdStoreOptions
{
    /// <summary>Client URLs of the members (http:// or https://); a request that cannot reach one tries the next.</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>
    /// Prepended to every key, so that several clusters (or tests) can share one etcd; empty by
    /// default, as the state's keys already start with <c>/zlayer/</c>. Keys and prefixes the store
    /// hands out never include it.
    /// </summary>
    public string Namespace { get; init; } = "";

    /// <summary>etcd user for authentication; null when the cluster does not require it.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>PEM file of the CA that signed the members' certificates, for https endpoints with a private CA.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate and key, for clusters that require client certificates.</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>How long one request may take before the next endpoint is tried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a watch waits before reconnecting after its stream broke.</summary>
    public TimeSpan WatchRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Parses <c>etcd://HOST:PORT[,HOST:PORT...][/NAMESPACE]</c> (plain HTTP) or
    /// <c>etcds://...</c> (TLS), the form <c>zlayer serve --store</c> takes.
    /// </summary>
    public static bool TryParse(string text, out EtcdStoreOptions options, out string error)
    {
        options = null!;
        error = "";
        var scheme = text.StartsWith("etcd://", StringComparison.Ordinal) ? "http"
            : text.StartsWith("etcds://", StringComparison.Ordinal) ? "https"
            : null;
        if (scheme is null)
        {
            error = $"'{text}' is not an etcd address: use etcd://HOST:PORT[,HOST:PORT...][/NAMESPACE] (etcds:// for TLS)";
            return false;
        }

        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hosts = slash < 0 ? rest : rest[..slash];
        var ns = slash < 0 ? "" : rest[slash..].TrimEnd('/');
        var endpoints = new List<Uri>();
        foreach (var host in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Uri would quietly take port 80 for a host without one; etcd's is never implied.
            var hasPort = host.LastIndexOf(':') is var colon and > 0 && colon > host.LastIndexOf(']');
            if (!hasPort || !Uri.TryCreate($"{scheme}://{host}", UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || host.Contains('@', StringComparison.Ordinal))
            {
                error = $"'{host}' in '{text}' is not HOST:PORT";
                return false;
            }

            endpoints.Add(uri);
        }

        if (endpoints.Count == 0)
        {
            error = $"'{text}' names no etcd member: use etcd://HOST:PORT[,HOST:PORT...]";
            return false;
        }

        options = new EtcdStoreOptions { Endpoints = endpoints, Namespace = ns };
        return true;
    }
}
