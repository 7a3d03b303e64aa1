using System.Diagnostics;

namespace ZLayer.Cli.Terminal;

/// <summary>
/// The user's terminal in raw mode for the length of an interactive exec: keys reach the remote
/// command as typed (Ctrl-C included, for the remote terminal to turn into a signal) and nothing is
/// echoed twice. stty does the termios work; its saved settings put the terminal back.
/// </summary>
internal sealed class RawTerminal : IDisposable
{
    private readonly string _saved;

    private RawTerminal(string saved) => _saved = saved;

    /// <summary>Raw mode on the terminal at stdin; null when stdin is not a terminal.</summary>
    public static RawTerminal? Enter()
    {
        if (Console.IsInputRedirected || Stty("-g") is not { Length: > 0 } saved)
        {
            return null;
        }

        Stty("raw", "-echo");
        return new RawTerminal(saved.Trim());
    }

    /// <summary>The size of the terminal at stdout, or 24 by 80 when there is none.</summary>
    public static (ushort Rows, ushort Columns) Size()
    {
        if (Console.IsOutputRedirected)
        {
            return ((ushort)24, (ushort)80);
        }

        try
        {
            var (rows, columns) = (Console.WindowHeight, Console.WindowWidth);
            return rows is > 0 and <= ushort.MaxValue && columns is > 0 and <= ushort.MaxValue ? ((ushort)rows, (ushort)columns) : ((ushort)24, (ushort)80);
        }
        catch (IOException)
        {
            return ((ushort)24, (ushort)80);
        }
    }

    public void Dispose() => Stty(_saved);

    /// <summary>Runs stty on this process's stdin (inherited, as stty acts on its own stdin); its output, or null if it failed.</summary>
    private static string? Stty(params string[] arguments)
    {
        var start = new ProcessStartInfo("stty") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
