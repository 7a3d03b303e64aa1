using System.Globalization;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// CPU and memory use of a container from its cgroup, on cgroup v2 (one unified tree) and v1
/// (a tree per controller, as on hybrid hosts). CPU is a rate: two readings of the cumulative
/// usage a short window apart.
/// </summary>
internal static class CgroupStats
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(200);

    public static bool IsUnified(string root = "/sys/fs/cgroup") => File.Exists(Path.Combine(root, "cgroup.controllers"));

    /// <param name="cgroupPath">The container's cgroupsPath, e.g. <c>/zlayer/ID</c>.</param>
    public static async Task<ResourceUsage?> ReadAsync(string cgroupPath, CancellationToken ct, string root = "/sys/fs/cgroup")
    {
        var relative = cgroupPath.TrimStart('/');
        var unified = IsUnified(root);
        long? Cpu() => unified
            ? ReadKey(Path.Combine(root, relative, "cpu.stat"), "usage_usec") * 1000
            : ReadNumber(Path.Combine(root, "cpuacct", relative, "cpuacct.usage"));
        var memory = unified
            ? ReadNumber(Path.Combine(root, relative, "memory.current"))
            : ReadNumber(Path.Combine(root, "memory", relative, "memory.usage_in_bytes"));
        var limit = unified
            ? ReadNumber(Path.Combine(root, relative, "memory.max"))
            : ReadNumber(Path.Combine(root, "memory", relative, "memory.limit_in_bytes"));
        var first = Cpu();
        if (memory is null || first is null)
        {
            return null;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.Delay(Window, ct).ConfigureAwait(false);
        var second = Cpu() ?? first;
        var elapsedNs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalNanoseconds;

        // v1 reports "no limit" as a huge page-aligned number, v2 as "max".
        var effectiveLimit = limit is > 0 and < long.MaxValue / 2 ? limit : null;
        return new ResourceUsage(Math.Max(0, (second.Value - first.Value) / elapsedNs * 100), memory.Value, effectiveLimit);
    }

    private static long? ReadNumber(string file)
    {
        try
        {
            var text = File.ReadAllText(file).Trim();
            return text == "max" ? long.MaxValue : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ReadKey(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }
}
