using System.Diagnostics;
using System.Text;

namespace ZLayer.Networking.Host;

/// <summary>Runs the host's networking tools (iproute2's <c>ip</c>, <c>iptables</c>) with a time limit.</summary>
internal static class HostCommand
{
    /// <summary>
    /// Where system tools live. A daemon started by a service manager or sudo may have a PATH
    /// without the sbin directories, where <c>ip</c> and <c>iptables</c> are installed.
    /// </summary>
    public static readonly IReadOnlyList<string> SystemDirectories =
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>Output kept per stream: enough for any listing these tools print for us, bounded against a runaway.</summary>
    private const int OutputLimit = 4 * 1024 * 1024;

    /// <summary>The search path for tools: the process's PATH followed by the system directories it lacks.</summary>
    public static string SearchPath()
    {
        var entries = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .ToList();
        foreach (var directory in SystemDirectories)
        {
            if (!entries.Contains(directory))
            {
                entries.Add(directory);
            }
        }
        return string.Join(':', entries);
    }

    /// <summary>The full path of <paramref name="program"/>, or an error saying which package provides it.</summary>
    public static string Resolve(string program, string package)
    {
        foreach (var directory in SearchPath().Split(':'))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new HostCommandException($"'{program}' was not found on PATH or in {string.Join(", ", SystemDirectories)}; install {package}");
    }

    public static async Task<HostCommandResult> RunAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["PATH"] = SearchPath();
        // Fixed messages: errors are matched by the caller and shown to operators as printed.
        info.Environment["LC_ALL"] = "C";

        var commandLine = $"{program} {string.Join(' ', arguments)}";
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostCommandException($"cannot run '{commandLine}': {e.Message}", e);
        }
        process.StandardInput.Close();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var stdout = ReadLimitedAsync(process.StandardOutput.BaseStream, limit.Token);
        var stderr = ReadLimitedAsync(process.StandardError.BaseStream, limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            return new HostCommandResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new HostCommandException($"'{commandLine}' did not finish within {timeout.TotalSeconds:0.#}s and was killed");
        }
    }

    /// <summary>Runs the command and returns its output, or throws with its exit status and error output.</summary>
    public static async Task<string> RunCheckedAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await RunAsync(program, arguments, timeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new HostCommandException($"'{program} {string.Join(' ', arguments)}' failed with exit status {result.ExitCode}: {result.Stderr.Trim()}");
        }
        return result.Stdout;
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the deadline and the kill.
        }
    }

    private static async Task<string> ReadLimitedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > OutputLimit)
            {
                throw new HostCommandException($"a host command printed more than {OutputLimit} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
