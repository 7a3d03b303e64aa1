using System.Collections.Concurrent;

namespace ZLayer.Runtime.Process;

/// <summary>
/// Wakes whoever waits on a replica when its shim records the exit (inotify on the state
/// directory), so that a daemon supervising a hundred replicas does not read a hundred sets of
/// files ten times a second to notice the odd one that ended. Waiters still look again after
/// <see cref="FallbackInterval"/>: a shim killed before it could write its exit file leaves
/// nothing to see, and a watcher that cannot start (inotify limits) falls back to polling.
/// </summary>
internal sealed class ExitSignals : IDisposable
{
    private readonly FileSystemWatcher? _watcher;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public ExitSignals(string stateDirectory, Action<string>? log)
    {
        try
        {
            _watcher = new FileSystemWatcher(stateDirectory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName,
            };
            _watcher.Created += (_, e) => Signal(e.FullPath);
            _watcher.Renamed += (_, e) => Signal(e.FullPath);

            // Lost events (a queue overflow): every waiter looks again rather than miss an exit.
            _watcher.Error += (_, _) => WakeAll();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            log?.Invoke($"process runtime: cannot watch {stateDirectory} for exits ({e.Message}); polling instead");
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>How long a waiter sleeps without a signal before it looks for itself.</summary>
    public TimeSpan FallbackInterval => _watcher is null ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2);

    /// <summary>
    /// A task completed by the next exit recorded for <paramref name="replicaId"/>. Take it before
    /// looking at the replica, so that an exit between the look and the wait is not missed.
    /// </summary>
    public Task Next(string replicaId) =>
        _waiters.GetOrAdd(replicaId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Waits for the next exit signal of a replica, at most <paramref name="timeout"/>.</summary>
    public static async Task WaitAsync(Task signal, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Time to look anyway.
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        WakeAll();
    }

    private void Signal(string path)
    {
        if (Path.GetFileName(path) != "exit")
        {
            return;
        }

        var replica = Path.GetFileName(Path.GetDirectoryName(path));
        if (replica is not null && _waiters.TryRemove(replica, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    private void WakeAll()
    {
        foreach (var replica in _waiters.Keys)
        {
            if (_waiters.TryRemove(replica, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
