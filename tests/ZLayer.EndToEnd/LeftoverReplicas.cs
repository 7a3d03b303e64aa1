using System.Diagnostics;

namespace ZLayer.EndToEnd;

/// <summary>
/// Replicas outlive their daemon by design, so a test that stops or kills its daemon would leave
/// them running on the machine. This ends every replica whose shim works under a test's data
/// directory: the program's process group first (its shim is its parent), then the shim.
/// </summary>
public static class LeftoverReplicas
{
    public static void Kill(string dataDirectory)
    {
        var marker = $"zlayer-shim {Path.Combine(dataDirectory, "replicas")}/";
        var processes = Snapshot();
        foreach (var (shim, cmdline, _) in processes.Where(p => p.Cmdline.StartsWith(marker, StringComparison.Ordinal)))
        {
            foreach (var (child, _, _) in processes.Where(p => p.Parent == shim))
            {
                // The program leads a session and group of its own: the group takes its children too.
                Process.Start("kill", ["-KILL", "--", $"-{child}"])!.WaitForExit();
            }

            Process.Start("kill", ["-KILL", shim.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }
    }

    private static List<(int Pid, string Cmdline, int Parent)> Snapshot()
    {
        var list = new List<(int, string, int)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                list.Add((pid, cmdline, int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture)));
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
        }

        return list;
    }
}
