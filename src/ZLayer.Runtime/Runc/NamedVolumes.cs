namespace ZLayer.Runtime.Runc;

/// <summary>A named volume on this node: its directory and how much it holds.</summary>
public sealed record NamedVolume(string Name, string Path, long Bytes);

/// <summary>
/// Named volumes (<c>storage: {type: named}</c>) under <c>DATA/volumes/NAME/data</c>: created on
/// first use, kept across deployments and redeploys, removed only on request
/// (<c>zlayer volume rm</c>).
/// </summary>
public sealed class NamedVolumes(string root)
{
    public string Root { get; } = System.IO.Path.GetFullPath(root);

    /// <summary>A volume name is one path component: letters, digits, and . _ - after the first.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 128 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public string DataPathOf(string name) => IsValidName(name)
        ? System.IO.Path.Combine(Root, name, "data")
        : throw new RuntimeException($"'{name}' is not a volume name (letters, digits, '.', '_', '-'; starting with a letter or digit)");

    /// <summary>The volume's data directory, created when missing.</summary>
    public string Ensure(string name)
    {
        var path = DataPathOf(name);
        Directory.CreateDirectory(path);
        return path;
    }

    public IReadOnlyList<NamedVolume> List() =>
        !Directory.Exists(Root)
            ? []
            : [.. Directory.EnumerateDirectories(Root)
                .Select(d => System.IO.Path.GetFileName(d))
                .Where(IsValidName)
                .Order(StringComparer.Ordinal)
                .Select(n => new NamedVolume(n, DataPathOf(n), SizeOf(DataPathOf(n))))];

    /// <summary>Deletes a volume and its content; false when there is none of that name.</summary>
    public bool Remove(string name)
    {
        var directory = System.IO.Path.Combine(Root, IsValidName(name) ? name : throw new RuntimeException($"'{name}' is not a volume name"));
        if (!Directory.Exists(directory))
        {
            return false;
        }

        Directory.Delete(directory, recursive: true);
        return true;
    }

    private static long SizeOf(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        return new DirectoryInfo(directory).EnumerateFiles("*", options).Sum(f => f.Length);
    }
}
