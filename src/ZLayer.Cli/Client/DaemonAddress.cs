using ZLayer.Control;

namespace ZLayer.Cli.Client;

/// <summary>Where the daemon's API is: a Unix socket, or an HTTP base address.</summary>
/// <param name="Display">How messages name it, in the form <c>ZLAYER_HOST</c> takes.</param>
public sealed record DaemonAddress(string Display, Uri BaseUri, string? SocketPath)
{
    /// <summary>
    /// Parses a <c>ZLAYER_HOST</c> value: <c>unix:///path/to.sock</c> (or a bare absolute path),
    /// <c>http://host:port</c>, <c>https://host:port</c>, or <c>tcp://host:port</c> and
    /// <c>host:port</c>, which mean plain HTTP as in Docker's DOCKER_HOST.
    /// </summary>
    public static bool TryParse(string text, out DaemonAddress address, out string error)
    {
        address = null!;
        error = "";
        text = text.Trim();
        if (text.StartsWith("unix://", StringComparison.Ordinal) || text.StartsWith('/'))
        {
            var path = text.StartsWith('/') ? text : text["unix://".Length..];
            if (!path.StartsWith('/'))
            {
                error = $"{ZLayerPaths.HostVariable}='{text}': a Unix socket needs an absolute path, as in unix:///run/zlayer/zlayer.sock";
                return false;
            }

            address = new DaemonAddress("unix://" + path, new Uri("http://localhost/"), path);
            return true;
        }

        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (withScheme.StartsWith("tcp://", StringComparison.Ordinal))
        {
            withScheme = "http://" + withScheme["tcp://".Length..];
        }

        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            error = $"{ZLayerPaths.HostVariable}='{text}' is not an address of the daemon: use unix:///PATH or http://HOST:PORT";
            return false;
        }

        // Without a port, plain HTTP means the daemon's own port; https means a TLS proxy in front of it.
        var authority = withScheme[(withScheme.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/')[0];
        var hasPort = authority.LastIndexOf(':') > authority.LastIndexOf(']');
        var port = hasPort ? uri.Port : uri.Scheme == "http" ? ZLayerPaths.DefaultApiPort : 443;
        var baseUri = new UriBuilder(uri.Scheme, uri.Host, port, uri.AbsolutePath.TrimEnd('/') + "/").Uri;
        address = new DaemonAddress(baseUri.GetLeftPart(UriPartial.Authority), baseUri, null);
        return true;
    }
}
