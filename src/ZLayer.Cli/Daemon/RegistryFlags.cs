using ZLayer.Images.Registry;
using ZLayer.Server;

namespace ZLayer.Cli.Daemon;

/// <summary>A mirror to try before a registry itself: <c>--registry-mirror HOST=URL</c>.</summary>
public sealed record RegistryMirror(string Host, Uri Url);

/// <summary>
/// <c>zlayer serve --insecure-registry</c> and <c>--registry-mirror</c>: laid over
/// <c>DATA/registries.json</c> each time the daemon loads it, never saved into it, so a flag
/// dropped from the service unit is gone at the next start.
/// </summary>
public sealed record RegistryFlags(IReadOnlyList<string> Insecure, IReadOnlyList<RegistryMirror> Mirrors)
{
    public static RegistryFlags None { get; } = new([], []);

    public bool IsEmpty => Insecure.Count == 0 && Mirrors.Count == 0;

    /// <summary>Parses <c>HOST[:PORT]</c>.</summary>
    public static bool TryParseInsecure(string text, out string host, out string error)
    {
        if (RegistryHost.TryParse(text, out host, out var problem))
        {
            error = "";
            return true;
        }

        error = $"--insecure-registry {text}: {problem}";
        return false;
    }

    /// <summary>Parses <c>HOST=URL</c>, the URL http or https with no path (registries serve <c>/v2/</c> at their root).</summary>
    public static bool TryParseMirror(string text, out RegistryMirror mirror, out string error)
    {
        mirror = null!;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            error = $"--registry-mirror {text}: expected HOST=URL, e.g. docker.io=https://mirror.example.com";
            return false;
        }

        if (!RegistryHost.TryParse(text[..equals], out var host, out var problem))
        {
            error = $"--registry-mirror {text}: {problem}";
            return false;
        }

        var url = text[(equals + 1)..].Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = $"--registry-mirror {text}: '{url}' is not an http:// or https:// URL";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            error = $"--registry-mirror {text}: give the mirror's address alone ({uri.GetLeftPart(UriPartial.Authority)}): a registry serves its API at /v2/ from its root, and logins belong in registries.json";
            return false;
        }

        mirror = new RegistryMirror(host, uri);
        error = "";
        return true;
    }

    /// <summary>
    /// The settings with these flags applied: a flag's host is insecure; its mirrors are tried in
    /// the order given, before any the file lists for that host.
    /// </summary>
    public RegistrySettings Apply(RegistrySettings settings)
    {
        foreach (var host in Insecure)
        {
            settings = settings.With(host, h => h with { Insecure = true });
        }

        foreach (var group in Mirrors.GroupBy(m => m.Host, StringComparer.OrdinalIgnoreCase))
        {
            settings = settings.With(group.Key, h => h with { Mirrors = [.. group.Select(m => m.Url).Concat(h.Mirrors ?? []).Distinct()] });
        }

        return settings;
    }
}
