namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// Runs the expired-lease sweep on a timer of the store's clock. Ticks never run sweeps side by side:
/// a tick during a sweep asks for one more pass after it, so a sweep that read the clock just before a
/// lease ended is always followed by one that sees it ended. The timer callback itself only schedules
/// work, so a test clock that fires timers synchronously is never blocked by the database.
/// </summary>
internal sealed class LeaseSweeper : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task> _sweep;
    private readonly TimeSpan _interval;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _sync = new();
    private bool _running;
    private bool _again;
    private bool _stopped;
    private Task _loop = Task.CompletedTask;

    public LeaseSweeper(TimeProvider time, TimeSpan interval, Func<CancellationToken, Task> sweep)
    {
        _sweep = sweep;
        _interval = interval;
        _timer = time.CreateTimer(_ => Request(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Start() => _timer.Change(_interval, _interval);

    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_sync)
        {
            _stopped = true;
            loop = _loop;
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void Request()
    {
        lock (_sync)
        {
            if (_stopped)
            {
                return;
            }

            if (_running)
            {
                _again = true;
                return;
            }

            _running = true;
            _loop = Task.Run(LoopAsync);
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            try
            {
                await _sweep(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A full disk or a closing store: the keys stay until a later tick succeeds, which is
                // what a caller of an expired lease sees anyway (KeepAlive and Put already refuse it).
            }

            lock (_sync)
            {
                if (!_again || _stopped)
                {
                    _running = false;
                    return;
                }

                _again = false;
            }
        }
    }
}
