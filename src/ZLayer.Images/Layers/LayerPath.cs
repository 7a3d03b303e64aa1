namespace ZLayer.Images.Layers;

/// <summary>
/// Turns an archive entry name into components relative to the layer root. A leading <c>/</c> and
/// <c>.</c> components are dropped (Docker treats absolute names as rooted at the image root), but
/// any <c>..</c> is refused outright rather than resolved: a name that needs it is either hostile
/// or broken, and lexical resolution would disagree with the kernel once symlinks are involved.
/// </summary>
internal static class LayerPath
{
    /// <summary>The components of <paramref name="name"/>, empty for the root itself; null with <paramref name="error"/> if refused.</summary>
    public static string[]? Split(string name, out string error)
    {
        error = "";
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            error = "name contains a NUL byte";
            return null;
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kept = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                error = "name has a '..' component, which could escape the layer root";
                return null;
            }

            kept.Add(part);
        }

        return [.. kept];
    }

    public static string Join(IEnumerable<string> components) => string.Join('/', components);
}
