using System.Text.RegularExpressions;

namespace ZLayer.Spec.Values;

/// <summary>
/// A Docker/OCI image reference with Docker's normalisation: <c>nginx:alpine</c> is
/// <c>docker.io/library/nginx:alpine</c>, no tag means <c>latest</c>, <c>@sha256:</c> pins a digest.
/// The text as written is kept for display; comparisons use <see cref="Canonical"/>.
/// </summary>
public sealed partial record ImageReference : ISpecScalar<ImageReference>
{
    public const string DockerHub = "docker.io";

    private ImageReference(string original, string registry, string repository, string? tag, string? digest)
    {
        Original = original;
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    public string Original { get; }

    /// <summary>Registry host with optional port, <c>docker.io</c> when none was written.</summary>
    public string Registry { get; }

    /// <summary>Repository path, with <c>library/</c> added for single-name Docker Hub images.</summary>
    public string Repository { get; }

    /// <summary>The tag; <c>latest</c> when neither a tag nor a digest was written.</summary>
    public string? Tag { get; }

    /// <summary>The pinned digest (<c>sha256:…</c>), if any.</summary>
    public string? Digest { get; }

    public string Canonical =>
        $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    public static string SyntaxDescription => "an image reference such as nginx:alpine, ghcr.io/acme/app:1.2 or repo@sha256:<64 hex>";

    public static ImageReference Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    public static bool TryParse(string text, out ImageReference value, out string error)
    {
        value = null!;
        var s = text.Trim();
        if (s.Length == 0)
        {
            error = "image reference is empty";
            return false;
        }

        if (s.Length > 4096)
        {
            error = "image reference is longer than 4096 characters";
            return false;
        }

        string? digest = null;
        var at = s.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = s[(at + 1)..];
            s = s[..at];
            if (!DigestRegex().IsMatch(digest))
            {
                error = $"invalid image reference '{text}': digest '{digest}' is not sha256:<64 lowercase hex> (or another algorithm:hex)";
                return false;
            }

            if (digest.StartsWith("sha256:", StringComparison.Ordinal) &&
                (digest.Length != 71 || !digest[7..].All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')))
            {
                error = $"invalid image reference '{text}': a sha256 digest is exactly 64 lowercase hex digits";
                return false;
            }
        }

        string? tag = null;
        var lastSlash = s.LastIndexOf('/');
        var colon = s.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = s[(colon + 1)..];
            s = s[..colon];
            if (!TagRegex().IsMatch(tag))
            {
                error = $"invalid image reference '{text}': tag '{tag}' must be 1-128 of letters, digits, '_', '.', '-', not starting with '.' or '-'";
                return false;
            }
        }

        var parts = s.Split('/');
        var registry = DockerHub;
        var pathStart = 0;
        if (parts.Length > 1 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost" || parts[0].Any(char.IsUpper)))
        {
            registry = parts[0];
            pathStart = 1;
            if (!DomainRegex().IsMatch(registry))
            {
                error = $"invalid image reference '{text}': registry '{registry}' is not a host name with an optional port";
                return false;
            }
        }

        var path = parts[pathStart..];
        if (path.Length == 0)
        {
            error = $"invalid image reference '{text}': no repository name";
            return false;
        }

        foreach (var component in path)
        {
            if (component.Length == 0)
            {
                error = $"invalid image reference '{text}': empty path component";
                return false;
            }

            if (component.Any(char.IsUpper))
            {
                error = $"invalid image reference '{text}': repository names must be lowercase ('{component}')";
                return false;
            }

            if (!ComponentRegex().IsMatch(component))
            {
                error = $"invalid image reference '{text}': '{component}' may hold only lowercase letters, digits and single separators . _ __ -";
                return false;
            }
        }

        var repository = string.Join('/', path);
        if (registry == DockerHub && path.Length == 1)
        {
            repository = "library/" + repository;
        }

        if (registry is "index.docker.io" or "registry-1.docker.io")
        {
            registry = DockerHub;
        }

        if (repository.Length > 255)
        {
            error = $"invalid image reference '{text}': repository name longer than 255 characters";
            return false;
        }

        if (tag is null && digest is null)
        {
            tag = "latest";
        }

        value = new ImageReference(text.Trim(), registry, repository, tag, digest);
        error = "";
        return true;
    }

    public string ToSpecString() => Original;

    public override string ToString() => Original;

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\z")]
    private static partial Regex ComponentRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}\z")]
    private static partial Regex DigestRegex();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?\z")]
    private static partial Regex DomainRegex();
}
