using System.Globalization;
using System.Text.RegularExpressions;

namespace ZLayer.Server;

/// <summary>
/// A registry as logins, logouts and the serve flags name it: a host name or IP address with an
/// optional port, spelt as the registry part of an image reference, because that is the key the
/// node's registry settings are looked up by.
/// </summary>
public static partial class RegistryHost
{
    public static bool TryParse(string? text, out string host, out string error)
    {
        host = "";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "the registry is empty: give a host with an optional port, e.g. registry.example.com or localhost:5000";
            return false;
        }

        var scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var rest = s[(scheme + 3)..];
            var authority = rest.Split('/')[0];
            error = $"'{s}' is a URL; give the registry's host alone{(authority.Length > 0 ? $", e.g. '{authority}'" : "")}";
            return false;
        }

        if (s.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{s}' is not a registry host: it has a path; give host[:port] only, e.g. '{s.Split('/')[0]}'";
            return false;
        }

        var match = HostPattern().Match(s);
        if (!match.Success)
        {
            error = $"'{s}' is not a registry host: use a host name or IP address with an optional port, e.g. registry.example.com or localhost:5000";
            return false;
        }

        if (match.Groups["port"].Success &&
            (!int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
        {
            error = $"'{s}': port {match.Groups["port"].Value} is out of range (1-65535)";
            return false;
        }

        var lower = s.ToLowerInvariant();

        // Docker Hub's API hosts are spelt docker.io in references, and so in the settings.
        host = lower is "index.docker.io" or "registry-1.docker.io" ? "docker.io" : lower;
        error = "";
        return true;
    }

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::(?<port>[0-9]{1,5}))?\z")]
    private static partial Regex HostPattern();
}
