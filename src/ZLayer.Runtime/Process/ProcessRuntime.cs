using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ZLayer.Runtime.Exec;

namespace ZLayer.Runtime.Process;

/// <summary>
/// Runs replicas as host processes. Each replica's program is the child of its own shim (shim.pl,
/// started with perl), which puts it in a new session and process group, writes its stdout and
/// stderr with timestamps into a rotated log file, and records its exit status. The shim does not
/// depend on the daemon, so a daemon killed with SIGKILL leaves replicas running, logging and
/// reporting their exit code; a new instance over the same state directory re-adopts them from
/// their records (<see cref="ListAsync"/>). See docs/ARCHITECTURE.md, "The process runtime".
/// </summary>
/// <remarks>
/// The program's environment is exactly <see cref="ReplicaLaunchSpec.Environment"/>, plus PATH (the
/// daemon's, or <see cref="ProgramResolver.DefaultPath"/>) when it has none. Environment values are
/// held in memory only, never written to disk: a replica created by an earlier daemon instance can be
/// inspected, stopped, exec'd into (its environment is read from /proc) and removed, but not started
/// again. One daemon instance per state directory.
/// </remarks>
public sealed class ProcessRuntime : IContainerRuntime, IInteractiveExec, IDisposable
{
    public const string LabelDeployment = "zlayer.deployment";
    public const string LabelService = "zlayer.service";
    public const string LabelIndex = "zlayer.index";
    public const string LabelReplica = "zlayer.replica";

    /// <summary>SHA-256 (hex, first 16 bytes) of argv, working directory, environment and ports: what needs a new process when it changes.</summary>
    public const string LabelLaunchHash = "zlayer.launch-hash";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShimExitTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan StopPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CpuWindow = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CpuSampleMaxAge = TimeSpan.FromSeconds(60);
    private const int ExecOutputLimit = 1 << 20;

    private readonly string _stateDirectory;
    private readonly TimeProvider _time;
    private readonly Action<string>? _log;
    private readonly string? _self;
    private readonly ConcurrentDictionary<string, ReplicaEntry> _entries = new(StringComparer.Ordinal);
    private readonly ExitSignals _exits;

    /// <param name="stateDirectory">Where each replica gets &lt;replicaId&gt;/ (created with mode 0700: records name the replica's environment).</param>
    /// <param name="log">Diagnostics that are not errors of the call at hand (an unreadable record skipped by <see cref="ListAsync"/>).</param>
    public ProcessRuntime(string stateDirectory, TimeProvider time, Action<string>? log = null)
    {
        _stateDirectory = Path.GetFullPath(stateDirectory);
        _time = time;
        _log = log;
        _self = ProgramResolver.FindSelf();
        CreatePrivateDirectory(_stateDirectory);
        _exits = new ExitSignals(_stateDirectory, log);
    }

    public string Name => "process";

    public async Task<ReplicaHandle> CreateAsync(ReplicaLaunchSpec spec, CancellationToken cancellationToken = default)
    {
        ValidateReplicaId(spec.ReplicaId);
        if (spec.Command.Count == 0)
        {
            throw new RuntimeException($"replica {spec.ReplicaId}: the process runtime needs a command to run (command.entrypoint)");
        }
        var environment = BuildEnvironment(spec);
        var files = Files(spec.ReplicaId);
        var workingDirectory = files.Directory;
        if (spec.WorkingDirectory is { } requested)
        {
            workingDirectory = Path.GetFullPath(requested);
            if (!Directory.Exists(workingDirectory))
            {
                throw new RuntimeException($"replica {spec.ReplicaId}: working directory \"{requested}\": no such file or directory");
            }
        }
        var program = ProgramResolver.Resolve(spec.Command[0], environment["PATH"], workingDirectory, _self);

        var entry = Entry(spec.ReplicaId);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(files.Record))
            {
                throw new RuntimeException($"replica {spec.ReplicaId} already exists; remove it first");
            }
            if (Directory.Exists(files.Directory))
            {
                // A creation interrupted before its record was written: nothing in it was ever started.
                Directory.Delete(files.Directory, recursive: true);
            }
            CreatePrivateDirectory(files.Directory);
            ShimLauncher.WriteScript(files);
            File.WriteAllBytes(files.Log, []);

            var labels = new Dictionary<string, string>(spec.Service.Labels, StringComparer.Ordinal)
            {
                [LabelDeployment] = spec.Deployment,
                [LabelService] = spec.ServiceName,
                [LabelIndex] = spec.Index.ToString(CultureInfo.InvariantCulture),
                [LabelReplica] = spec.ReplicaId,
                [LabelLaunchHash] = LaunchHash(spec, environment, workingDirectory),
            };
            // The agent's own labels (spec hash, allocated ports) come back on the handle after a
            // daemon restart; without them it could not re-adopt the replica.
            foreach (var (key, value) in spec.Labels)
            {
                labels[key] = value;
            }

            var record = new ProcessRecord
            {
                ReplicaId = spec.ReplicaId,
                RuntimeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
                Program = program,
                Argv = [.. spec.Command],
                EnvironmentNames = [.. environment.Keys.Order(StringComparer.Ordinal)],
                WorkingDirectory = workingDirectory,
                Labels = labels,
                MaxLogBytes = Math.Max(1, spec.Service.Logs?.MaxSizeBytes ?? 104_857_600),
                CreatedAt = _time.GetUtcNow(),
            };
            lock (entry.RecordSync)
            {
                record.Save(files.Record);
            }
            entry.Environment = environment;
            return HandleOf(record);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public async Task StartAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var files = Files(handle.ReplicaId);
        var entry = Entry(handle.ReplicaId);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = Load(handle, files);
            var state = await ObserveAsync(entry, files, record, cancellationToken).ConfigureAwait(false);
            if (state.Status == RuntimeStatus.Running)
            {
                return;
            }
            var environment = entry.Environment
                ?? throw new RuntimeException($"replica {handle.ReplicaId} was created by an earlier daemon and its environment is kept in memory only; remove it and create it again");
            if (state.Status == RuntimeStatus.Exited)
            {
                // Starting an exited replica again (Docker's `start`): its leftovers and its old shim
                // go first, so that one shim at a time writes the log, which is kept and appended to.
                await ReapLeftoversAsync(record, cancellationToken).ConfigureAwait(false);
                File.Delete(files.Pid);
                File.Delete(files.Exit);
            }
            if (!File.Exists(record.Program) || !Native.IsExecutable(record.Program))
            {
                ProgramResolver.Resolve(record.Program, "", record.WorkingDirectory, null);
            }
            var perl = ShimLauncher.FindPerl()
                ?? throw new RuntimeException("the process runtime needs perl (Debian: perl-base), and there is none in PATH, /usr/bin or /bin");

            var shim = ShimLauncher.Start(perl, files, record, environment);
            entry.ReplaceShim(shim);
            record = UpdateRecord(entry, files, r =>
            {
                r.StartedAt = _time.GetUtcNow();
                r.ShimPid = shim.Id;
                r.ShimStartTime = ProcFs.ReadStat(shim.Id)?.StartTime;
                r.Pid = null;
                r.PidStartTime = null;
                r.FinishedAt = null;
                r.ExitCode = null;
                r.ExitMessage = null;
            });

            var deadline = _time.GetUtcNow() + StartTimeout;
            ShimStatus? status;
            while ((status = ShimStatus.Read(files.Pid)) is null && !shim.HasExited && _time.GetUtcNow() < deadline)
            {
                await Task.Delay(PollInterval / 4, _time, cancellationToken).ConfigureAwait(false);
            }
            status ??= ShimStatus.Read(files.Pid);
            if (status is null)
            {
                var why = shim.HasExited ? ShimErrors(files) ?? $"the shim exited with status {shim.ExitCode}" : "the shim did not report within 30s";
                UpdateRecord(entry, files, r =>
                {
                    r.FinishedAt = _time.GetUtcNow();
                    r.ExitMessage = why;
                });
                throw new RuntimeException($"replica {handle.ReplicaId}: could not start: {why}");
            }
            var failure = status.Failure is null ? null : $"exec: \"{record.Argv[0]}\": {status.Failure}";
            UpdateRecord(entry, files, r =>
            {
                r.Pid = status.Pid;
                r.PidStartTime = status.StartTime;
                r.ExitMessage = failure;
            });
            if (failure is not null)
            {
                throw new RuntimeException(failure);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public async Task StopAsync(ReplicaHandle handle, int signal, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        var files = Files(handle.ReplicaId);
        var entry = Entry(handle.ReplicaId);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = Load(handle, files);
            var state = await ObserveAsync(entry, files, record, cancellationToken).ConfigureAwait(false);
            if (state.Status == RuntimeStatus.Created)
            {
                return;
            }
            record = Load(handle, files);
            if (record.Pid is not { } pid || record.PidStartTime is not { } start)
            {
                return;
            }
            // The signal goes to every process group of the replica's session: the program and all
            // it started, including jobs a shell inside put into groups of their own.
            var exited = _exits.Next(handle.ReplicaId);
            SignalSession(pid, start, signal);
            var signalled = Stopwatch.GetTimestamp();
            bool Gone() => !ProcFs.IsAlive(pid, start) && SessionMembers(pid, start, signalled).Count == 0;
            var deadline = _time.GetUtcNow() + grace;
            while (!Gone() && _time.GetUtcNow() < deadline)
            {
                // Woken when the program's exit is recorded; a look now and then catches what it
                // left running in its session, and the end of the grace period.
                var left = deadline - _time.GetUtcNow();
                await ExitSignals.WaitAsync(exited, left < StopPollInterval ? left : StopPollInterval, _time, cancellationToken).ConfigureAwait(false);
                if (exited.IsCompleted)
                {
                    exited = _exits.Next(handle.ReplicaId);
                }
            }
            if (!Gone())
            {
                SignalSession(pid, start, Native.SIGKILL);
                deadline = _time.GetUtcNow() + KillTimeout;
                while (!Gone())
                {
                    if (_time.GetUtcNow() >= deadline)
                    {
                        throw new RuntimeException($"replica {handle.ReplicaId}: processes of session {pid} are still there {KillTimeout.TotalSeconds:0}s after SIGKILL (uninterruptible sleep?)");
                    }
                    SignalSession(pid, start, Native.SIGKILL);
                    await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            // The program is gone; its shim records the status right after reaping it.
            await WaitForExitFileAsync(files, record, ShimExitTimeout, cancellationToken).ConfigureAwait(false);
            await ObserveAsync(entry, files, record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public Task SignalAsync(ReplicaHandle handle, int signal, CancellationToken cancellationToken = default)
    {
        var files = Files(handle.ReplicaId);
        var record = Load(handle, files);
        if (record.Pid is { } pid && record.PidStartTime is { } start)
        {
            SignalSession(pid, start, signal);
        }
        return Task.CompletedTask;
    }

    public async Task RemoveAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var files = Files(handle.ReplicaId);
        var entry = Entry(handle.ReplicaId);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = ProcessRecord.Load(files.Record);
            if (record is null || record.RuntimeId != handle.RuntimeId)
            {
                // Already removed (and perhaps created again: that one is not this handle's to remove).
                return;
            }
            var state = await ObserveAsync(entry, files, record, cancellationToken).ConfigureAwait(false);
            if (state.Status == RuntimeStatus.Running)
            {
                throw new RuntimeException($"replica {handle.ReplicaId} is running; stop it before removing it");
            }
            // Logs go with the replica: the agent reads what it needs (the last lines of a failed
            // start) before it removes one.
            await ReapLeftoversAsync(Load(handle, files), cancellationToken).ConfigureAwait(false);
            Directory.Delete(files.Directory, recursive: true);
            if (_entries.TryRemove(handle.ReplicaId, out var removed))
            {
                removed.ReplaceShim(null);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public Task<ReplicaRuntimeState> InspectAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var files = Files(handle.ReplicaId);
        return ObserveAsync(Entry(handle.ReplicaId), files, Load(handle, files), cancellationToken);
    }

    public async Task<ReplicaRuntimeState> WaitAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var exited = _exits.Next(handle.ReplicaId);
            var state = await InspectAsync(handle, cancellationToken).ConfigureAwait(false);
            if (state.Status == RuntimeStatus.Exited)
            {
                return state;
            }
            await ExitSignals.WaitAsync(exited, _exits.FallbackInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyList<ReplicaHandle>> ListAsync(CancellationToken cancellationToken = default)
    {
        var handles = new List<ReplicaHandle>();
        foreach (var dir in Directory.EnumerateDirectories(_stateDirectory).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ProcessRecord? record;
            try
            {
                record = ProcessRecord.Load(Path.Combine(dir, "record.json"));
            }
            catch (RuntimeException e)
            {
                _log?.Invoke($"process runtime: skipping {dir}: {e.Message}");
                continue;
            }
            if (record is null || record.ReplicaId != Path.GetFileName(dir))
            {
                continue;
            }
            handles.Add(HandleOf(record));
        }
        return Task.FromResult<IReadOnlyList<ReplicaHandle>>(handles);
    }

    public async IAsyncEnumerable<LogLine> LogsAsync(ReplicaHandle handle, LogOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var files = Files(handle.ReplicaId);
        Load(handle, files);
        await foreach (var line in new ReplicaLogReader(files, _time).ReadAsync(options, cancellationToken).ConfigureAwait(false))
        {
            yield return line;
        }
    }

    public async Task<ExecResult> ExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Tty)
        {
            throw new RuntimeException("exec with a terminal streams: use an interactive session (zlayer exec -t)");
        }

        var info = await ExecStartInfoAsync(handle, command, cancellationToken).ConfigureAwait(false);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = new System.Diagnostics.Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RuntimeException($"exec: \"{command[0]}\": {e.Message}", e);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var stdout = ReadCappedAsync(process.StandardOutput);
        var stderr = ReadCappedAsync(process.StandardError);
        try
        {
            if (options.Stdin is { } input)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The command exited without reading its input: its output and status still count.
        }
        finally
        {
            process.StandardInput.Close();
        }
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new RuntimeException($"exec in replica {handle.ReplicaId} timed out after {options.Timeout.TotalSeconds:0.###}s and was killed", new TimeoutException());
        }
        return new ExecResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public async Task<ExecSession> StartExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecSessionOptions options, CancellationToken cancellationToken = default) =>
        ProcessExecSession.Start(await ExecStartInfoAsync(handle, command, cancellationToken).ConfigureAwait(false), options);

    /// <summary>
    /// "Inside the replica" for a host process: the environment it was started with, read back from
    /// the kernel (so it works for re-adopted replicas too), and its working directory.
    /// </summary>
    private async Task<ProcessStartInfo> ExecStartInfoAsync(ReplicaHandle handle, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            throw new RuntimeException("exec: no command given");
        }
        var files = Files(handle.ReplicaId);
        var record = Load(handle, files);
        var state = await ObserveAsync(Entry(handle.ReplicaId), files, record, cancellationToken).ConfigureAwait(false);
        if (state.Status != RuntimeStatus.Running || state.Pid is not { } pid)
        {
            throw new RuntimeException($"replica {handle.ReplicaId} is not running");
        }
        var environment = ProcFs.ReadEnvironment(pid)
            ?? Entry(handle.ReplicaId).Environment
            ?? throw new RuntimeException($"replica {handle.ReplicaId}: cannot read the environment of process {pid}");
        var path = environment.GetValueOrDefault("PATH") ?? ProgramResolver.DefaultPath;
        var info = new ProcessStartInfo(ProgramResolver.Resolve(command[0], path, record.WorkingDirectory, _self))
        {
            UseShellExecute = false,
            WorkingDirectory = record.WorkingDirectory,
        };
        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        return info;
    }

    public async Task<ResourceUsage?> StatsAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var files = Files(handle.ReplicaId);
        var entry = Entry(handle.ReplicaId);
        var record = Load(handle, files);
        var state = await ObserveAsync(entry, files, record, cancellationToken).ConfigureAwait(false);
        if (state.Status != RuntimeStatus.Running || record.Pid is not { } pid || record.PidStartTime is not { } start)
        {
            return null;
        }
        var now = Sample(pid, start);
        var previous = entry.LastCpu;
        if (previous is null || previous.Pid != pid || _time.GetElapsedTime(previous.Timestamp) > CpuSampleMaxAge)
        {
            // CPU use is a rate: without a recent sample, measure over a short window now.
            previous = now;
            await Task.Delay(CpuWindow, _time, cancellationToken).ConfigureAwait(false);
            now = Sample(pid, start);
        }
        entry.LastCpu = now;
        var seconds = _time.GetElapsedTime(previous.Timestamp, now.Timestamp).TotalSeconds;
        var cpu = seconds <= 0 ? 0 : Math.Max(0, now.Ticks - previous.Ticks) / (double)ProcFs.TicksPerSecond / seconds * 100;
        return new ResourceUsage(cpu, now.RssBytes, null);
    }

    public void Dispose()
    {
        _exits.Dispose();
        foreach (var entry in _entries.Values)
        {
            entry.ReplaceShim(null);
        }
    }

    /// <summary>
    /// The replica's state from its files and /proc. The shim's exit file is the truth about an exit;
    /// a pid counts as the replica's only while its start time matches the one recorded (PID reuse).
    /// </summary>
    private async Task<ReplicaRuntimeState> ObserveAsync(ReplicaEntry entry, ReplicaFiles files, ProcessRecord record, CancellationToken cancellationToken)
    {
        if (record.StartedAt is null)
        {
            return new ReplicaRuntimeState(RuntimeStatus.Created, null, false, null, null, null, null, null);
        }
        if (record.Pid is null)
        {
            if (ShimStatus.Read(files.Pid) is { } status)
            {
                var failure = status.Failure is null ? null : $"exec: \"{record.Argv[0]}\": {status.Failure}";
                record = UpdateRecord(entry, files, r =>
                {
                    r.Pid = status.Pid;
                    r.PidStartTime = status.StartTime;
                    r.ExitMessage ??= failure;
                });
            }
            else if (ShimAlive(record))
            {
                return new ReplicaRuntimeState(RuntimeStatus.Running, null, false, null, record.StartedAt, null, null, "starting");
            }
            else
            {
                return Exited(record.ExitCode, record.FinishedAt, record.ExitMessage ?? "the process shim exited before it started the program");
            }
        }
        var pid = record.Pid!.Value;
        if (ShimStatus.ReadExit(files.Exit) is { } exit)
        {
            return ExitedWith(entry, files, record, exit.Code, exit.At);
        }
        if (ProcFs.IsAlive(pid, record.PidStartTime ?? -1))
        {
            return new ReplicaRuntimeState(RuntimeStatus.Running, null, false, pid, record.StartedAt, null, null, null);
        }
        if (ShimAlive(record))
        {
            // The shim reaps the program and writes the exit file within moments.
            var exited = await WaitForExitFileAsync(files, record, ShimExitTimeout, cancellationToken).ConfigureAwait(false);
            if (exited is { } late)
            {
                return ExitedWith(entry, files, record, late.Code, late.At);
            }
        }
        if (record.ExitCode is not null)
        {
            return Exited(record.ExitCode, record.FinishedAt, record.ExitMessage);
        }
        var message = ProcFs.ReadStat(pid) is not null
            ? $"process {pid} has exited and its PID now belongs to another process; exit code unknown"
            : "the program exited while its shim was not running; exit code unknown";
        return Exited(null, null, message);

        ReplicaRuntimeState Exited(int? code, DateTimeOffset? at, string? why) =>
            new(RuntimeStatus.Exited, code, false, record.Pid, record.StartedAt, at, null, why);
    }

    private ReplicaRuntimeState ExitedWith(ReplicaEntry entry, ReplicaFiles files, ProcessRecord record, int code, DateTimeOffset at)
    {
        if (record.ExitCode != code || record.FinishedAt != at)
        {
            record = UpdateRecord(entry, files, r =>
            {
                r.ExitCode = code;
                r.FinishedAt = at;
            });
        }
        return new ReplicaRuntimeState(RuntimeStatus.Exited, code, false, record.Pid, record.StartedAt, at, null, record.ExitMessage ?? ExitDescription(code));
    }

    /// <summary>"killed by SIGKILL" for 137 and the like; null for ordinary codes.</summary>
    private static string? ExitDescription(int code) => code switch
    {
        > 128 and < 128 + 65 => $"killed by signal {code - 128}{SignalName(code - 128)}",
        _ => null,
    };

    private static string SignalName(int signal) => signal switch
    {
        1 => " (SIGHUP)",
        2 => " (SIGINT)",
        3 => " (SIGQUIT)",
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        13 => " (SIGPIPE)",
        15 => " (SIGTERM)",
        _ => "",
    };

    private async Task<(int Code, DateTimeOffset At)?> WaitForExitFileAsync(ReplicaFiles files, ProcessRecord record, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            if (ShimStatus.ReadExit(files.Exit) is { } exit)
            {
                return exit;
            }
            if (!ShimAlive(record) || _time.GetUtcNow() >= deadline)
            {
                return ShimStatus.ReadExit(files.Exit);
            }
            await Task.Delay(PollInterval / 4, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Kills what is left of an exited replica (processes of its session, which hold its output
    /// open) and waits for its shim, which exits once nothing writes to it any more.
    /// </summary>
    private async Task ReapLeftoversAsync(ProcessRecord record, CancellationToken cancellationToken)
    {
        if (record.Pid is { } pid && record.PidStartTime is { } start)
        {
            var deadline = _time.GetUtcNow() + KillTimeout;
            while (SignalSession(pid, start, Native.SIGKILL) && _time.GetUtcNow() < deadline)
            {
                await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        if (record.ShimPid is { } shim && record.ShimStartTime is { } shimStart)
        {
            var deadline = _time.GetUtcNow() + ShimExitTimeout;
            while (ProcFs.IsAlive(shim, shimStart) && _time.GetUtcNow() < deadline)
            {
                await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            if (ProcFs.IsAlive(shim, shimStart))
            {
                // Something outside the session (it called setsid itself) still holds the output open.
                _log?.Invoke($"process runtime: replica {record.ReplicaId}: killing its shim {shim}, still held open after {ShimExitTimeout.TotalSeconds:0}s");
                Native.Kill(shim, Native.SIGKILL);
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to every process group in the replica's session; false when
    /// the session is empty. The session id is the program's pid, and a pid that is still a session
    /// id cannot be reused, so the only guard needed is that a live process with that pid is ours.
    /// </summary>
    /// <summary>
    /// Signals every process group of the replica's session. The program's own group (it leads its
    /// session, so the group is its pid) is signalled at once; finding the other groups takes a
    /// scan of /proc, and any scan begun after that first signal sees every process that existed
    /// when it was sent, so replicas stopped together share one.
    /// </summary>
    private static bool SignalSession(int pid, long startTime, int signal)
    {
        if (ProcFs.IsAlive(pid, startTime))
        {
            Native.KillGroup(pid, signal);
        }

        var members = SessionMembers(pid, startTime, Stopwatch.GetTimestamp());
        foreach (var group in members.Select(m => m.ProcessGroup).Distinct())
        {
            Native.KillGroup(group, signal);
        }
        return members.Count > 0;
    }

    private static List<ProcStat> SessionMembers(int pid, long startTime, long? notBefore = null)
    {
        if (ProcFs.ReadStat(pid) is { } leader && leader.StartTime != startTime)
        {
            return [];
        }
        return ProcFs.SessionMembers(pid, notBefore ?? Stopwatch.GetTimestamp());
    }

    private static bool ShimAlive(ProcessRecord record) =>
        record.ShimPid is { } pid && record.ShimStartTime is { } start && ProcFs.IsAlive(pid, start);

    private static CpuSample Sample(int pid, long startTime)
    {
        long ticks = 0, pages = 0;
        foreach (var member in SessionMembers(pid, startTime))
        {
            ticks += member.UserTicks + member.SystemTicks;
            pages += member.RssPages;
        }
        return new CpuSample(pid, Stopwatch.GetTimestamp(), ticks, pages * Environment.SystemPageSize);
    }

    private static string? ShimErrors(ReplicaFiles files)
    {
        try
        {
            var text = File.ReadAllText(files.ShimErrors).Trim();
            return text.Length == 0 ? null : text.Split('\n')[^1];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<string> ReadCappedAsync(StreamReader reader)
    {
        // Reads to the end so the command never blocks on a full pipe, keeping the first megabyte.
        var text = new StringBuilder();
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = ExecOutputLimit - text.Length;
            if (room > 0)
            {
                text.Append(buffer, 0, Math.Min(n, room));
            }
        }
        return text.ToString();
    }

    private ProcessRecord UpdateRecord(ReplicaEntry entry, ReplicaFiles files, Action<ProcessRecord> change)
    {
        lock (entry.RecordSync)
        {
            var record = ProcessRecord.Load(files.Record) ?? throw new RuntimeException($"no such replica: {Path.GetFileName(files.Directory)}");
            change(record);
            record.Save(files.Record);
            return record;
        }
    }

    private static ProcessRecord Load(ReplicaHandle handle, ReplicaFiles files)
    {
        var record = ProcessRecord.Load(files.Record);
        if (record is null || record.RuntimeId != handle.RuntimeId)
        {
            throw new RuntimeException($"no such replica: {handle.ReplicaId}");
        }
        return record;
    }

    private ReplicaFiles Files(string replicaId)
    {
        ValidateReplicaId(replicaId);
        return new ReplicaFiles(_stateDirectory, replicaId);
    }

    private ReplicaEntry Entry(string replicaId) => _entries.GetOrAdd(replicaId, _ => new ReplicaEntry());

    private ReplicaHandle HandleOf(ProcessRecord record) =>
        new(record.ReplicaId, record.RuntimeId, Name) { Labels = new Dictionary<string, string>(record.Labels, StringComparer.Ordinal) };

    private static void CreatePrivateDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the process runtime needs Linux (/proc, sessions, signals)");
        }
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void ValidateReplicaId(string replicaId)
    {
        // It names a directory: no separators, no "." or "..", nothing a shell or ps would mangle.
        if (replicaId.Length is 0 or > 200 || replicaId is "." or ".." || replicaId.StartsWith('.')
            || replicaId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
        {
            throw new RuntimeException($"invalid replica id \"{replicaId}\": letters, digits, '.', '-' and '_' only, not starting with '.'");
        }
    }

    private static Dictionary<string, string> BuildEnvironment(ReplicaLaunchSpec spec)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in spec.Environment)
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
            {
                throw new RuntimeException($"replica {spec.ReplicaId}: invalid environment variable name \"{name}\"");
            }
            if (value.Contains('\0'))
            {
                throw new RuntimeException($"replica {spec.ReplicaId}: environment variable {name} contains a NUL character");
            }
            environment[name] = value;
        }
        if (!environment.ContainsKey("PATH"))
        {
            // The one addition: without PATH, execvp-style lookups inside the program would fail.
            var daemonPath = Environment.GetEnvironmentVariable("PATH");
            environment["PATH"] = string.IsNullOrEmpty(daemonPath) ? ProgramResolver.DefaultPath : daemonPath;
        }
        return environment;
    }

    private static string LaunchHash(ReplicaLaunchSpec spec, Dictionary<string, string> environment, string workingDirectory)
    {
        var text = new StringBuilder();
        void Add(string s) => text.Append(s.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(s);
        foreach (var arg in spec.Command)
        {
            Add(arg);
        }
        Add(workingDirectory);
        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            Add(name);
            Add(value);
        }
        foreach (var (name, port) in spec.Ports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add(name);
            Add(port.ToString(CultureInfo.InvariantCulture));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    private sealed record CpuSample(int Pid, long Timestamp, long Ticks, long RssBytes);

    /// <summary>What this daemon instance holds about a replica beyond its files.</summary>
    private sealed class ReplicaEntry
    {
        /// <summary>Serialises create, start, stop and remove of one replica.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Serialises read-modify-write of record.json (inspections update it too).</summary>
        public object RecordSync { get; } = new();

        /// <summary>The environment with its values, from <see cref="CreateAsync"/>; never on disk.</summary>
        public IReadOnlyDictionary<string, string>? Environment { get; set; }

        public CpuSample? LastCpu { get; set; }

        private System.Diagnostics.Process? _shim;

        /// <summary>Keeps the shim's Process object (so .NET reaps it when it exits) and disposes the previous one.</summary>
        public void ReplaceShim(System.Diagnostics.Process? shim) => Interlocked.Exchange(ref _shim, shim)?.Dispose();
    }
}
