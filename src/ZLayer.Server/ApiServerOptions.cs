using System.Net;
using ZLayer.Control;

namespace ZLayer.Server;

/// <summary>Where the API listens.</summary>
public sealed record ApiServerOptions
{
    /// <summary>The Unix socket for local clients; null for none. Default: <see cref="ZLayerPaths.DefaultSocket"/>.</summary>
    public string? SocketPath { get; init; } = ZLayerPaths.Current.DefaultSocket;

    /// <summary>
    /// The TCP endpoint for remote clients; null disables TCP. Loopback by default: exposing the
    /// API beyond the host is a deliberate choice (with TLS, see <see cref="Security"/>).
    /// </summary>
    public IPEndPoint? TcpEndpoint { get; init; } = new(IPAddress.Loopback, ZLayerPaths.DefaultApiPort);

    /// <summary>
    /// Tokens, TLS and rate limiting of the TCP listener; required with one. Without it (socket
    /// only) every client is the socket's, an admin, and the token routes are not served.
    /// </summary>
    public Auth.ApiSecurity? Security { get; init; }

    /// <summary>Permissions of the socket file: owner and group may connect, others not.</summary>
    public UnixFileMode SocketMode { get; init; } =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>Parses <c>HOST:PORT</c> (IPv6 as <c>[::1]:3669</c>), or <c>off</c>/empty for no TCP listener.</summary>
    public static bool TryParseTcp(string? text, out IPEndPoint? endpoint, out string error)
    {
        endpoint = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text) || text is "off" or "none")
        {
            return true;
        }

        if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port != 0 && text.Contains(':', StringComparison.Ordinal))
        {
            endpoint = parsed;
            return true;
        }

        if (text.StartsWith("localhost:", StringComparison.Ordinal) && ushort.TryParse(text["localhost:".Length..], out var port) && port != 0)
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

        error = $"'{text}' is not an address to listen on: use IP:PORT such as 127.0.0.1:{ZLayerPaths.DefaultApiPort} or [::]:{ZLayerPaths.DefaultApiPort}, or 'off'";
        return false;
    }
}
