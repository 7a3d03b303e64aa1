using System.Globalization;
using System.Net;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>A port or an inclusive range of ports, as in <c>8080</c> or <c>8000-8010</c>.</summary>
internal readonly record struct PortRange(int Start, int End)
{
    public int Count => End - Start + 1;

    public override string ToString() => Start == End ? Start.ToString(CultureInfo.InvariantCulture) : $"{Start}-{End}";
}

/// <summary>The parts of a short-syntax port, <c>[[ip:]published:]target[/protocol]</c>, not yet checked as numbers.</summary>
internal sealed record PortSpecText(string? HostIp, string? Published, string Target, string Protocol);

/// <summary>The text forms of compose <c>ports</c> and <c>expose</c> entries.</summary>
internal static class PortSyntax
{
    public static bool TrySplit(string text, out PortSpecText spec, out string error)
    {
        spec = null!;
        var s = text.Trim();
        var protocol = "tcp";
        var slash = s.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = s[(slash + 1)..].ToLowerInvariant();
            s = s[..slash];
            if (protocol.Length == 0)
            {
                error = $"invalid port '{text}': empty protocol after '/'";
                return false;
            }
        }

        string? ip = null;
        string? published = null;
        string target;
        if (s.StartsWith('['))
        {
            // [IPv6]:published:target
            var close = s.IndexOf(']', StringComparison.Ordinal);
            var rest = close < 0 ? "" : s[(close + 1)..];
            var parts = rest.Split(':');
            if (close < 0 || parts.Length != 3 || parts[0].Length != 0)
            {
                error = $"invalid port '{text}': expected [IPv6]:published:target";
                return false;
            }

            ip = s[1..close];
            published = parts[1];
            target = parts[2];
        }
        else
        {
            // Split from the right, so an unbracketed IPv6 address keeps its own colons.
            var last = s.LastIndexOf(':');
            target = last < 0 ? s : s[(last + 1)..];
            if (last >= 0)
            {
                var head = s[..last];
                var previous = head.LastIndexOf(':');
                published = previous < 0 ? head : head[(previous + 1)..];
                ip = previous < 0 ? null : head[..previous];
            }
        }

        if (target.Length == 0)
        {
            error = $"invalid port '{text}': no container port";
            return false;
        }

        if (ip is not null && !IPAddress.TryParse(ip, out _))
        {
            error = $"invalid port '{text}': host IP '{ip}' is not an IP address";
            return false;
        }

        spec = new PortSpecText(ip, published is { Length: 0 } ? null : published, target, protocol);
        error = "";
        return true;
    }

    /// <summary>Parses <c>N</c> or <c>N-M</c>; ports must be within <paramref name="min"/>..65535.</summary>
    public static bool TryParseRange(string text, int min, out PortRange range, out string error)
    {
        range = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var startText = dash < 0 ? text : text[..dash];
        var endText = dash < 0 ? text : text[(dash + 1)..];
        if (!TryPort(startText, min, out var start) || !TryPort(endText, min, out var end))
        {
            error = $"'{text}' is not a port ({min}-65535) or a range of ports such as 8000-8010";
            return false;
        }

        if (end < start)
        {
            error = $"port range '{text}' ends before it starts";
            return false;
        }

        range = new PortRange(start, end);
        error = "";
        return true;
    }

    private static bool TryPort(string text, int min, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port >= min && port <= 65535;

    /// <summary>Compose's unique key for merging ports across files: {ip, published, target, protocol}.</summary>
    public static string? MergeKey(YNode item)
    {
        switch (item)
        {
            case YScalar { IsNull: false } s:
                return TrySplit(s.Value, out var spec, out _)
                    ? $"{spec.HostIp}|{spec.Published}|{spec.Target}|{spec.Protocol}"
                    : s.Value;
            case YMapping m:
                var protocol = YTree.TextOf(m.Get("protocol"))?.ToLowerInvariant() ?? "tcp";
                return $"{YTree.TextOf(m.Get("host_ip"))}|{YTree.TextOf(m.Get("published"))}|{YTree.TextOf(m.Get("target"))}|{protocol}";
            default:
                return null;
        }
    }
}
