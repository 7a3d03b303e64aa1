using Microsoft.Extensions.Primitives;

namespace ZLayer.Proxy.Http;

/// <summary>
/// Headers that describe one connection rather than the message (RFC 9110 §7.6.1) and so never
/// cross the proxy: the fixed set, any Proxy-* header, and whatever the Connection header names.
/// </summary>
internal static class HopByHopHeaders
{
    private static readonly HashSet<string> Fixed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Proxy-Connection",
        "Proxy-Authenticate", "Proxy-Authorization",
    };

    public static bool IsHopByHop(string name) =>
        Fixed.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);

    /// <summary>The header names listed in Connection (other than keep-alive/close/upgrade), or null when none.</summary>
    public static HashSet<string>? NamedBy(StringValues connection)
    {
        HashSet<string>? named = null;
        foreach (var value in connection)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!token.Equals("close", StringComparison.OrdinalIgnoreCase) && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    (named ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(token);
                }
            }
        }

        return named;
    }

    public static bool Skip(string name, HashSet<string>? namedByConnection) =>
        IsHopByHop(name) || (namedByConnection is not null && namedByConnection.Contains(name));
}
