using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// Creates containers through conmon, the per-container monitor: conmon runs <c>runc create</c>,
/// stays as the container's parent, writes its output to the log file and, when it exits, its
/// exit code (and an OOM marker) into the container directory. None of that needs the daemon, so
/// a daemon killed with SIGKILL leaves its containers running and reporting.
/// </summary>
internal sealed class Conmon(string binary, RuncCli runc, string exitDirectory, long logSizeMax)
{
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);
    /// <summary>How often the files are looked at when no change was signalled (a missed event, conmon dying without writing).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public string Binary { get; } = binary;

    public static string? Find() =>
        new[] { "/usr/bin/conmon", "/usr/libexec/podman/conmon", "/usr/local/bin/conmon", "/usr/sbin/conmon" }.FirstOrDefault(File.Exists);

    /// <summary>Has conmon create the container; returns once runc has created it (its init waits for <c>runc start</c>).</summary>
    public async Task CreateAsync(ContainerPaths paths, CancellationToken ct)
    {
        Directory.CreateDirectory(exitDirectory);

        // conmon gives up silently when its attach socket directory is missing.
        Directory.CreateDirectory(Path.Combine(paths.Directory, "attach"));
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(paths))
        {
            start.ArgumentList.Add(argument);
        }

        // Woken by the files appearing rather than a short fixed poll: the wait is part of every start.
        using var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(paths.Directory) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        void Signal(object sender, FileSystemEventArgs e) => changed.Release();
        watcher.Created += Signal;
        watcher.Changed += Signal;
        watcher.Renamed += (sender, e) => changed.Release();
        watcher.EnableRaisingEvents = true;

        using (var launcher = System.Diagnostics.Process.Start(start) ?? throw new RuntimeException($"cannot start {Binary}"))
        {
            var stderr = launcher.StandardError.ReadToEndAsync(ct);
            await launcher.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await launcher.WaitForExitAsync(ct).ConfigureAwait(false);
            if (launcher.ExitCode != 0)
            {
                throw new RuntimeException($"container {paths.Id}: conmon failed ({launcher.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
            }
        }

        // conmon has forked into the background and runs `runc create` there; the container pid file
        // appears once runc is done, a runc error in runc's log file if it fails.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (ReadPid(paths.ContainerPidFile) is > 0)
            {
                return;
            }

            if (CreateError(paths) is { } error)
            {
                throw new RuntimeException($"container {paths.Id}: {error}");
            }

            if (ReadPid(paths.ConmonPidFile) is { } monitor && !IsAlive(monitor) && ReadPid(paths.ContainerPidFile) is not > 0)
            {
                throw new RuntimeException($"container {paths.Id}: conmon exited before runc created the container (nothing in {paths.RuncLog})");
            }

            if (deadline.Elapsed > CreateTimeout)
            {
                throw new RuntimeException($"container {paths.Id}: runc create did not finish within {CreateTimeout.TotalSeconds:0} s");
            }

            await changed.WaitAsync(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Alive and not a zombie waiting for a parent that does not reap it.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    public static int? ReadPid(string file)
    {
        try
        {
            return int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private IEnumerable<string> Arguments(ContainerPaths paths)
    {
        string[] fixedArguments =
        [
            "--api-version", "1",
            "--cid", paths.Id,
            "--cuuid", paths.Id,
            "--name", paths.Id,
            "--runtime", runc.Binary,
            "--bundle", paths.Bundle,
            "--container-pidfile", paths.ContainerPidFile,
            "--conmon-pidfile", paths.ConmonPidFile,
            "--log-path", "k8s-file:" + paths.Log,
            "--log-size-max", logSizeMax.ToString(CultureInfo.InvariantCulture),
            "--exit-dir", exitDirectory,
            "--persist-dir", paths.Directory,
            "--socket-dir-path", Path.Combine(paths.Directory, "attach"),
        ];
        foreach (var argument in fixedArguments)
        {
            yield return argument;
        }

        foreach (var runtimeArgument in runc.GlobalArguments.Concat(["--log", paths.RuncLog, "--log-format", "json"]))
        {
            yield return "--runtime-arg";
            yield return runtimeArgument;
        }
    }

    /// <summary>The last error runc logged, if any.</summary>
    private static string? CreateError(ContainerPaths paths)
    {
        if (!File.Exists(paths.RuncLog))
        {
            return null;
        }

        foreach (var line in File.ReadAllLines(paths.RuncLog).Reverse())
        {
            try
            {
                using var entry = JsonDocument.Parse(line);
                if (entry.RootElement.TryGetProperty("level", out var level) && level.GetString() is "error" or "fatal"
                    && entry.RootElement.TryGetProperty("msg", out var msg))
                {
                    return msg.GetString();
                }
            }
            catch (JsonException)
            {
                // A line being written right now; the next look reads it whole.
            }
        }

        return null;
    }
}
