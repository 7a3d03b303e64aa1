using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ZLayer.Runtime.Process;

/// <summary>
/// Starts the shim (shim.pl, run by perl) that becomes the replica program's parent. Perl rather than
/// sh: a POSIX shell drops environment variables whose names are not shell identifiers and adds PWD,
/// cannot forward a signal while it waits for a foreground child, and starts background children
/// with SIGINT ignored; and logs must be timestamped and rotated while the daemon is down.
/// </summary>
internal static class ShimLauncher
{
    private static readonly Lazy<byte[]> ScriptBytes = new(() =>
    {
        using var stream = typeof(ShimLauncher).Assembly.GetManifestResourceStream("ZLayer.Runtime.Process.shim.pl")
            ?? throw new InvalidOperationException("shim.pl is not embedded in ZLayer.Runtime");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>Writes the shim script into the replica's directory.</summary>
    public static void WriteScript(ReplicaFiles files) => File.WriteAllBytes(files.Shim, ScriptBytes.Value);

    /// <summary>perl from the daemon's PATH, else the usual places; null when there is none.</summary>
    public static string? FindPerl()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? ProgramResolver.DefaultPath;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/bin"))
        {
            var candidate = Path.Combine(dir, "perl");
            if (Path.IsPathRooted(candidate) && File.Exists(candidate) && Native.IsExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Starts the shim for <paramref name="record"/> and hands it the environment on its standard
    /// input (never on the command line, which every user can read, nor on disk).
    /// </summary>
    public static System.Diagnostics.Process Start(string perl, ReplicaFiles files, ProcessRecord record, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(perl)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            // Not the replica's directory: the shim must not keep a mount busy or a removed directory alive.
            WorkingDirectory = "/",
        };
        // perl reads PERL5LIB, PERL5OPT and friends: none of the replica's variables (nor the
        // daemon's) may change how the shim itself runs.
        info.Environment.Clear();
        info.ArgumentList.Add(files.Shim);
        info.ArgumentList.Add(files.Directory);
        info.ArgumentList.Add(record.WorkingDirectory);
        info.ArgumentList.Add(record.MaxLogBytes.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(record.Program);
        foreach (var arg in record.Argv)
        {
            info.ArgumentList.Add(arg);
        }

        var shim = System.Diagnostics.Process.Start(info) ?? throw new RuntimeException($"could not start {perl}");
        try
        {
            var block = new StringBuilder();
            block.Append(environment.Count.ToString(CultureInfo.InvariantCulture)).Append('\0');
            foreach (var (name, value) in environment)
            {
                block.Append(name).Append('=').Append(value).Append('\0');
            }
            var stdin = shim.StandardInput.BaseStream;
            stdin.Write(new UTF8Encoding(false).GetBytes(block.ToString()));
            stdin.Flush();
        }
        catch (IOException)
        {
            // The shim died before reading its environment; the caller sees it exit without a pid file.
        }
        finally
        {
            shim.StandardInput.Close();
        }
        return shim;
    }
}
