namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>Paths inside the container: absolute, normalised, never through "..".</summary>
public static class ContainerPath
{
    /// <summary>
    /// <paramref name="path"/> with repeated and trailing slashes and "." components removed. A
    /// relative path or a ".." component is an error naming <paramref name="field"/>: runc would
    /// resolve ".." within the rootfs, but a spec that writes it almost certainly means something else.
    /// </summary>
    public static string Normalise(string service, string field, string path)
    {
        if (!path.StartsWith('/'))
        {
            throw BundleError.For(service, $"{field} '{path}' must be an absolute path inside the container");
        }

        if (path.Contains('\0'))
        {
            throw BundleError.For(service, $"{field} '{path}' contains a NUL character");
        }

        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                throw BundleError.For(service, $"{field} '{path}' must not contain '..'");
            }

            if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it (both normalised).</summary>
    public static bool IsWithin(string path, string root) =>
        path == root || path.StartsWith(root == "/" ? "/" : root + "/", StringComparison.Ordinal);
}
