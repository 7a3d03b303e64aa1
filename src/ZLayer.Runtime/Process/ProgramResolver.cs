using System.Reflection;

namespace ZLayer.Runtime.Process;

/// <summary>
/// Finds the file a command's first word names, the way execvp(3) does in the replica's own
/// environment, and reports failures in the words Docker users know from `exec: "x": ...`.
/// </summary>
internal static class ProgramResolver
{
    /// <summary>The command name that means the running zlayer binary itself (the quickstart's demo server).</summary>
    public const string SelfName = "zlayer";

    /// <summary>PATH for a replica whose environment has none and a daemon that has none either (Docker's default).</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Resolves <paramref name="program"/> to an absolute path of an executable file, or throws <see cref="RuntimeException"/>.</summary>
    /// <param name="path">The PATH the replica will have.</param>
    /// <param name="workingDirectory">Where a name containing '/' but not starting with it is looked up.</param>
    public static string Resolve(string program, string path, string workingDirectory, string? self)
    {
        if (program.Length == 0)
        {
            throw new RuntimeException("exec: \"\": executable file not found in $PATH");
        }
        if (program == SelfName && self is not null)
        {
            return self;
        }
        if (program.Contains('/'))
        {
            var full = Path.GetFullPath(program, workingDirectory);
            if (Check(full) is { } problem)
            {
                throw new RuntimeException($"exec: \"{program}\": {problem}");
            }
            return full;
        }
        string? denied = null;
        foreach (var dir in path.Split(':'))
        {
            // An empty PATH entry means the current directory, as execvp reads it.
            var candidate = Path.GetFullPath(Path.Combine(dir.Length == 0 ? "." : dir, program), workingDirectory);
            var problem = Check(candidate);
            if (problem is null)
            {
                return candidate;
            }
            if (problem == "permission denied")
            {
                denied ??= candidate;
            }
        }
        throw new RuntimeException(denied is null
            ? $"exec: \"{program}\": executable file not found in $PATH"
            : $"exec: \"{program}\": permission denied ({denied})");
    }

    /// <summary>Null when <paramref name="fullPath"/> can be executed, else the reason in strerror words.</summary>
    private static string? Check(string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            return "is a directory";
        }
        if (!File.Exists(fullPath))
        {
            return $"stat {fullPath}: no such file or directory";
        }
        return Native.IsExecutable(fullPath) ? null : "permission denied";
    }

    /// <summary>
    /// The zlayer executable of this process: <see cref="Environment.ProcessPath"/> when it is the
    /// zlayer apphost, else a `zlayer` apphost beside the entry assembly (when run as `dotnet zlayer.dll`);
    /// null when neither exists (a test host, say), and then `zlayer` is looked up in PATH like any name.
    /// </summary>
    public static string? FindSelf() => FindSelf(Environment.ProcessPath, Assembly.GetEntryAssembly()?.Location);

    internal static string? FindSelf(string? processPath, string? entryAssembly)
    {
        if (processPath is not null && Path.GetFileName(processPath) == SelfName && File.Exists(processPath))
        {
            return processPath;
        }
        if (!string.IsNullOrEmpty(entryAssembly) && Path.GetDirectoryName(entryAssembly) is { } dir)
        {
            var beside = Path.Combine(dir, SelfName);
            if (File.Exists(beside) && Native.IsExecutable(beside))
            {
                return beside;
            }
        }
        return null;
    }
}
