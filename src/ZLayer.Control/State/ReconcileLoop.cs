using ZLayer.Control.Store;
using ZLayer.Control.Telemetry;

namespace ZLayer.Control.State;

/// <summary>
/// The shape every level-triggered loop over the store shares: a pass now, another whenever a
/// watched key changes (after <paramref name="debounce"/>, so a burst of writes makes one pass),
/// and one at least every <paramref name="resync"/>, which repairs whatever a missed or compacted
/// notification would leave behind. <see cref="Wake"/> asks for a pass from outside the store.
/// </summary>
/// <param name="name">The loop's name in metrics and spans.</param>
/// <param name="relevant">Which changed keys call for a pass.</param>
public sealed class ReconcileLoop(string name, IStateStore store, Func<string, bool> relevant, TimeSpan resync, TimeSpan debounce) : IDisposable
{
    private readonly SemaphoreSlim _wake = new(1);

    /// <summary>Asks for a pass soon; several requests before it runs make one.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Runs <paramref name="pass"/> as described until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> pass, CancellationToken ct)
    {
        var revision = await store.CurrentRevisionAsync(ct);
        var watcher = WatchAsync(revision + 1, ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await ControlTelemetry.PassAsync(name, pass, ct);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                tick.CancelAfter(resync);
                try
                {
                    await _wake.WaitAsync(tick.Token);
                    if (debounce > TimeSpan.Zero)
                    {
                        await Task.Delay(debounce, ct);
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Periodic resync.
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        await watcher;
    }

    public void Dispose() => _wake.Dispose();

    private async Task WatchAsync(long from, CancellationToken ct)
    {
        try
        {
            await foreach (var change in store.WatchAsync(StateKeys.Root, from, ct))
            {
                if (relevant(change.Kv.Key))
                {
                    Wake();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (StoreCompactedException)
        {
            // The periodic resync covers the gap.
        }
    }
}
