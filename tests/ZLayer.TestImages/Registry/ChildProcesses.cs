using System.Collections.Concurrent;
using System.Diagnostics;

namespace ZLayer.TestImages.Registry;

/// <summary>
/// Registries the fixtures started and have not yet stopped; killed when the test host exits so a
/// fixture that was never disposed (a crashed run, a forgotten await) leaves no server behind.
/// </summary>
internal static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Live.Values)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        };
    }

    public static void Add(Process process) => Live[process.Id] = process;

    public static void Remove(Process process) => Live.TryRemove(process.Id, out _);
}
