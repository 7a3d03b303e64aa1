namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// Wakes watchers when a revision commits. A watcher takes <see cref="NextCommit"/> before it reads the
/// history, so a commit that lands after that read completes the task it holds: no wake-up is lost
/// between reading and waiting.
/// </summary>
internal sealed class CommitSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the first commit after this property was read.</summary>
    public Task NextCommit => Volatile.Read(ref _next).Task;

    /// <summary>Called after each commit.</summary>
    public void Notify() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    // Continuations run on the thread pool, never inline on the writer that notifies.
    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
