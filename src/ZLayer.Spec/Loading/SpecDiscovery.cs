namespace ZLayer.Spec.Loading;

/// <summary>Finds the spec file in a directory when none is named (SPEC.md Part A item 7).</summary>
public static class SpecDiscovery
{
    private static readonly string[] ExactNames = [".zlayer.yml", ".zlayer.yaml", "zlayer.yml", "zlayer.yaml"];
    private static readonly string[] ComposeNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    public static bool TryFind(string directory, out string file, out string error)
    {
        file = "";
        error = "";
        foreach (var name in ExactNames)
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                file = candidate;
                return true;
            }
        }

        var patterned = Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .Where(n => n is not null && IsPatternName(n))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (patterned.Count == 1)
        {
            file = Path.Combine(directory, patterned[0]!);
            return true;
        }

        if (patterned.Count > 1)
        {
            error = $"several spec files in {directory} ({string.Join(", ", patterned)}); name one with -f";
            return false;
        }

        foreach (var name in ComposeNames)
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                file = candidate;
                return true;
            }
        }

        error = $"no spec file in {directory}: looked for {string.Join(", ", ExactNames)}, *.zlayer.y(a)ml, zlayer.*.y(a)ml and {string.Join(", ", ComposeNames)}";
        return false;
    }

    private static bool IsPatternName(string name)
    {
        var yaml = name.EndsWith(".yml", StringComparison.Ordinal) || name.EndsWith(".yaml", StringComparison.Ordinal);
        return yaml && (name.Contains(".zlayer.", StringComparison.Ordinal) || name.StartsWith("zlayer.", StringComparison.Ordinal)) && !ExactNames.Contains(name);
    }

    public static bool LooksLikeComposeName(string path)
    {
        var name = Path.GetFileName(path);
        return ComposeNames.Contains(name) || name.StartsWith("docker-compose", StringComparison.Ordinal) || name.StartsWith("compose.", StringComparison.Ordinal);
    }
}
