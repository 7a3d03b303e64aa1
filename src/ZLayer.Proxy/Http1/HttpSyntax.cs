using System.Buffers;
using System.Text;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// The byte classes the fast path accepts. They are deliberately narrower than RFC 9110 allows:
/// anything outside them is left to Kestrel, which either serves it or refuses it precisely.
/// </summary>
internal static class HttpSyntax
{
    /// <summary>tchar (RFC 9110 §5.6.2).</summary>
    private static readonly SearchValues<byte> TokenBytes =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Visible ASCII, space and tab; no obs-text, no CR or LF.</summary>
    private static readonly SearchValues<byte> ValueBytes = SearchValues.Create(ValueRange());

    /// <summary>
    /// Unreserved, sub-delims, ':', '@', '/' and '?'. No '%': Kestrel matches routes on the decoded
    /// path, so encoded targets go to it rather than being matched here on different bytes.
    /// </summary>
    private static readonly SearchValues<byte> TargetBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?"u8);

    public static ReadOnlySpan<byte> LineEnd => "\r\n"u8;

    public static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    public static bool IsToken(ReadOnlySpan<byte> text) => text.Length > 0 && !text.ContainsAnyExcept(TokenBytes);

    public static bool IsFieldValue(ReadOnlySpan<byte> text) => !text.ContainsAnyExcept(ValueBytes);

    public static bool IsOriginTarget(ReadOnlySpan<byte> text) =>
        text.Length > 0 && text[0] == '/' && !text.ContainsAnyExcept(TargetBytes)
        // Dot segments are normalised by Kestrel before routing; matching them raw could pick another route.
        && text.IndexOf("/."u8) < 0;

    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> text) => text.Trim(" \t"u8);

    /// <summary>Whether a line ends in a bare LF, which the fast path never frames itself.</summary>
    public static bool HasBareLineFeed(ReadOnlySpan<byte> text)
    {
        for (var at = text.IndexOf((byte)'\n'); at >= 0; at = NextLineFeed(text, at))
        {
            if (at == 0 || text[at - 1] != '\r')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a comma-separated list holds a token, ignoring case.</summary>
    public static bool ListContains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        foreach (var range in list.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(TrimWhitespace(list[range]), token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A Content-Length value: digits only, at most 18 of them; -1 when malformed.</summary>
    public static long ParseLength(ReadOnlySpan<byte> value)
    {
        if (value.Length is 0 or > 18)
        {
            return -1;
        }

        long length = 0;
        foreach (var b in value)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }

            length = (length * 10) + (b - '0');
        }

        return length;
    }

    private static int NextLineFeed(ReadOnlySpan<byte> text, int after)
    {
        var next = text[(after + 1)..].IndexOf((byte)'\n');
        return next < 0 ? -1 : after + 1 + next;
    }

    private static byte[] ValueRange()
    {
        var bytes = new List<byte> { (byte)'\t' };
        for (var b = 0x20; b <= 0x7E; b++)
        {
            bytes.Add((byte)b);
        }

        return [.. bytes];
    }
}
