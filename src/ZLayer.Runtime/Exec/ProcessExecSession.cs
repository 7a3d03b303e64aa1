using System.Diagnostics;
using ZLayer.Runtime.Process;

namespace ZLayer.Runtime.Exec;

/// <summary>
/// An exec session whose command is a host process the daemon started (runc exec under its reaper,
/// or a process replica's command): the terminal is one the daemon makes, the pipes its own.
/// </summary>
internal sealed class ProcessExecSession : ExecSession
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly System.Diagnostics.Process _process;
    private readonly PseudoTerminal? _terminal;

    private ProcessExecSession(System.Diagnostics.Process process, PseudoTerminal? terminal, Stream input, Stream output, Stream? error)
    {
        _process = process;
        _terminal = terminal;
        Input = input;
        Output = output;
        Error = error;
    }

    public override Stream Input { get; }

    public override Stream Output { get; }

    public override Stream? Error { get; }

    public override bool Tty => _terminal is not null;

    /// <summary>
    /// Starts <paramref name="program"/> (a host command line that enters the replica, e.g. runc exec).
    /// With a TTY it runs as the leader of a new session whose controlling terminal is ours, as a
    /// login shell would, so that resizes reach it as SIGWINCH and Ctrl-C typed there is a SIGINT.
    /// </summary>
    public static ProcessExecSession Start(ProcessStartInfo program, ExecSessionOptions options)
    {
        program.UseShellExecute = false;
        program.RedirectStandardInput = true;
        program.RedirectStandardOutput = true;
        program.RedirectStandardError = true;
        if (!options.Tty)
        {
            var piped = StartProcess(program);
            return new ProcessExecSession(piped, null, piped.StandardInput.BaseStream, piped.StandardOutput.BaseStream, piped.StandardError.BaseStream);
        }

        var terminal = PseudoTerminal.Open(options.Rows, options.Columns);
        try
        {
            // sh opens the terminal as stdio, then setsid makes it the controlling terminal of a new
            // session (setsid -c) and runs the program there; -w returns the program's exit code.
            var wrapped = new ProcessStartInfo("/bin/sh")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = program.WorkingDirectory,
            };
            wrapped.Environment.Clear();
            foreach (var (name, value) in program.Environment)
            {
                wrapped.Environment[name] = value;
            }

            wrapped.ArgumentList.Add("-c");
            wrapped.ArgumentList.Add("exec \"$0\" -w -c \"$@\" <\"$ZLAYER_EXEC_TTY\" >\"$ZLAYER_EXEC_TTY\" 2>&1");
            wrapped.ArgumentList.Add(Setsid);
            wrapped.ArgumentList.Add(program.FileName);
            foreach (var argument in program.ArgumentList)
            {
                wrapped.ArgumentList.Add(argument);
            }

            wrapped.Environment["ZLAYER_EXEC_TTY"] = terminal.SlavePath;
            var process = StartProcess(wrapped);
            // The wrapper's own pipes are unused once it has the terminal; closing ours avoids leaking them.
            process.StandardInput.Close();

            _ = process.WaitForExitAsync().ContinueWith(_ => terminal.ReleaseSlave(), TaskScheduler.Default);
            return new ProcessExecSession(process, terminal, terminal.OpenInput(), terminal.OpenOutput(), null);
        }
        catch
        {
            terminal.Dispose();
            throw;
        }
    }

    public override void Resize(ushort rows, ushort columns) => _terminal?.Resize(rows, columns);

    public override async Task CloseInputAsync(CancellationToken ct)
    {
        if (_terminal is null)
        {
            await Input.DisposeAsync().ConfigureAwait(false);
            return;
        }

        await Input.WriteAsync(new byte[] { 0x04 }, ct).ConfigureAwait(false);
    }

    public override async Task<int> WaitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // runc exec passes signals on to the command; SIGKILL would leave the command running.
            Native.Kill(_process.Id, Native.SIGTERM);
            using var grace = new CancellationTokenSource(StopGrace);
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await Input.DisposeAsync().ConfigureAwait(false);
        await Output.DisposeAsync().ConfigureAwait(false);
        if (Error is not null)
        {
            await Error.DisposeAsync().ConfigureAwait(false);
        }

        _terminal?.Dispose();
        _process.Dispose();
    }

    private static string Setsid =>
        new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
        ?? throw new RuntimeException("exec with a terminal needs setsid (Debian: util-linux), and there is none");

    private static System.Diagnostics.Process StartProcess(ProcessStartInfo info)
    {
        try
        {
            return System.Diagnostics.Process.Start(info) ?? throw new RuntimeException($"exec: {info.FileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new RuntimeException($"exec: cannot start {info.FileName}: {ex.Message}", ex);
        }
    }
}
