using System.Globalization;

namespace ZLayer.Bench;

/// <summary>The benchmarks' few <c>--name value</c> options, and where the repository is.</summary>
public static class Options
{
    public static int Int(string[] args, string name, int fallback) =>
        String(args, name, null) is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public static string? String(string[] args, string name, string? fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>The directory holding ZLayer.slnx, found upwards from the working directory.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ZLayer.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmark from inside the repository (no ZLayer.slnx found upwards)");
    }
}
