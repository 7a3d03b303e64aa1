namespace ZLayer.Server;

/// <summary>
/// Keeps a prune from deleting what a pull, push or import in progress has stored but not yet
/// recorded (the store only spares blobs that are being written at that very moment). Transfers
/// run side by side; a prune runs alone, and is refused rather than queued while any transfer runs,
/// because a pull may take far longer than a client waits for an answer.
/// </summary>
internal sealed class ImageTransferGate
{
    private readonly SemaphoreSlim _pruning = new(1, 1);
    private int _transfers;

    /// <summary>Marks a transfer as running until the lease is disposed; waits while a prune runs.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _pruning.WaitAsync(ct);
        try
        {
            Interlocked.Increment(ref _transfers);
            return new Lease(this);
        }
        finally
        {
            _pruning.Release();
        }
    }

    public async Task<T> PruneAsync<T>(Func<T> prune, CancellationToken ct)
    {
        await _pruning.WaitAsync(ct);
        try
        {
            // Transfers only start while holding the semaphore, so none can begin between this check and the prune.
            var running = Volatile.Read(ref _transfers);
            if (running > 0)
            {
                throw ProblemResults.Conflict($"{running} image pull, push or import {(running == 1 ? "is" : "are")} in progress; prune once {(running == 1 ? "it has" : "they have")} finished");
            }

            return prune();
        }
        finally
        {
            _pruning.Release();
        }
    }

    private sealed class Lease(ImageTransferGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref gate._transfers);
            }
        }
    }
}
