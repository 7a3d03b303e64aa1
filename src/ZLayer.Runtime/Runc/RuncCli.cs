using System.Diagnostics;
using System.Text.Json;

namespace ZLayer.Runtime.Runc;

/// <summary>What <c>runc state</c> says about a container.</summary>
/// <param name="Status">created, running, paused or stopped.</param>
public sealed record RuncState(string Id, string Status, int Pid, string Bundle, DateTimeOffset? Created);

/// <summary>
/// The runc command line for one state root: every container of a node's data directory lives in
/// its own <c>--root</c>, so nothing else on the machine sees or touches them. Errors carry what
/// runc printed, which names the cause (a missing mount source, a bad argument).
/// </summary>
public sealed class RuncCli(string binary, string root)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    public string Binary { get; } = binary;

    /// <summary>runc's state directory (<c>--root</c>).</summary>
    public string Root { get; } = root;

    /// <summary>The runc on PATH (or the usual places), or null when it is not installed.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/bin").Append("/usr/local/bin").Append("/usr/local/sbin")
            .Select(d => Path.Combine(d, "runc"))
            .FirstOrDefault(File.Exists);

    /// <summary>The container's state, or null when runc does not know it.</summary>
    public async Task<RuncState?> StateAsync(string id, CancellationToken ct)
    {
        var result = await RunAsync(["state", id], ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            return result.Stderr.Contains("does not exist", StringComparison.Ordinal) ? null : throw Failure("state", id, result);
        }

        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        return new RuncState(
            root.GetProperty("id").GetString()!,
            root.GetProperty("status").GetString()!,
            root.TryGetProperty("pid", out var pid) ? pid.GetInt32() : 0,
            root.TryGetProperty("bundle", out var bundle) ? bundle.GetString() ?? "" : "",
            root.TryGetProperty("created", out var created) && created.TryGetDateTimeOffset(out var when) ? when : null);
    }

    public async Task StartAsync(string id, CancellationToken ct) => await CheckAsync("start", id, ["start", id], ct).ConfigureAwait(false);

    /// <summary>Signals the container's init process; false when it has already stopped.</summary>
    public async Task<bool> KillAsync(string id, int signal, CancellationToken ct)
    {
        var result = await RunAsync(["kill", id, signal.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return true;
        }

        return result.Stderr.Contains("not running", StringComparison.Ordinal) || result.Stderr.Contains("does not exist", StringComparison.Ordinal)
            ? false
            : throw Failure("kill", id, result);
    }

    /// <summary>Removes the container from runc's state (forcibly: a running one is killed first); a missing one is fine.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        var result = await RunAsync(["delete", "--force", id], ct).ConfigureAwait(false);
        if (result.ExitCode != 0 && !result.Stderr.Contains("does not exist", StringComparison.Ordinal))
        {
            throw Failure("delete", id, result);
        }
    }

    /// <summary>Runs a command inside the container and returns its output.</summary>
    public async Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, string? stdin, TimeSpan timeout, CancellationToken ct)
    {
        var result = await RunAsync(["exec", id, .. command], ct, stdin, timeout).ConfigureAwait(false);
        return new ExecResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    private static readonly Lazy<string> ExecReaper = new(() =>
    {
        using var stream = typeof(RuncCli).Assembly.GetManifestResourceStream("ZLayer.Runtime.Runc.exec-reaper.pl")
            ?? throw new InvalidOperationException("exec-reaper.pl is not embedded in ZLayer.Runtime");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// The command line that runs <paramref name="command"/> in a container with the caller's
    /// stdio as its own (a terminal, or pipes) and exits with its status: <c>runc exec -d</c> under
    /// the exec reaper (exec-reaper.pl, run by perl). A terminal gets TERM=xterm, as Docker gives.
    /// </summary>
    /// <param name="pidFile">Where runc writes the command's pid; the reaper removes it.</param>
    public ProcessStartInfo ExecStartInfo(string id, IReadOnlyList<string> command, bool tty, string pidFile)
    {
        var start = new ProcessStartInfo("perl");
        IEnumerable<string> arguments =
        [
            "-e", ExecReaper.Value, pidFile,
            Binary, "--root", Root, "exec", "-d", "--pid-file", pidFile, .. tty ? ["-e", "TERM=xterm"] : Array.Empty<string>(), id, .. command,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>The arguments that select this state root, for programs (conmon) that run runc themselves.</summary>
    public IReadOnlyList<string> GlobalArguments => ["--root", Root];

    private async Task CheckAsync(string verb, string id, string[] arguments, CancellationToken ct)
    {
        var result = await RunAsync(arguments, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure(verb, id, result);
        }
    }

    private static RuntimeException Failure(string verb, string id, Output result) =>
        new($"runc {verb} {id}: {LastError(result.Stderr)}");

    /// <summary>runc's own error line, without the time= and level= decoration.</summary>
    internal static string LastError(string stderr)
    {
        var line = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "failed without a message";
        var msg = line.IndexOf("msg=", StringComparison.Ordinal);
        return msg >= 0 ? line[(msg + 4)..].Trim('"').Replace("\\\"", "\"", StringComparison.Ordinal) : line;
    }

    private sealed record Output(int ExitCode, string Stdout, string Stderr);

    private async Task<Output> RunAsync(IReadOnlyList<string> arguments, CancellationToken ct, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--root");
        start.ArgumentList.Add(Root);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new RuntimeException($"cannot start {Binary}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? CommandTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        // Never the daemon's own stdin: a command that reads it would wait forever.
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), limit.Token).ConfigureAwait(false);
        }

        process.StandardInput.Close();

        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw ct.IsCancellationRequested ? new OperationCanceledException(ct) : new RuntimeException($"runc {arguments[0]} did not finish within {(timeout ?? CommandTimeout).TotalSeconds:0} s");
        }

        return new Output(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
