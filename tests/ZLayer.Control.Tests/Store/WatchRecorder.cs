using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using ZLayer.Control.Store;

namespace ZLayer.Control.Tests.Store;

/// <summary>
/// Consumes a watch in the background so a test can wait for the next events with a deadline instead of
/// sleeping. An error of the watch is rethrown by the read that reaches it.
/// </summary>
internal sealed class WatchRecorder : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly string _description;

    public WatchRecorder(IStateStore store, string prefix, long fromRevision)
    {
        _description = $"watch of '{prefix}' from {fromRevision}";
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in store.WatchAsync(prefix, fromRevision, _stop.Token))
                {
                    await _events.Writer.WriteAsync(change);
                }

                _events.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _events.Writer.TryComplete(e);
            }
        });
    }

    public async Task<WatchEvent> NextAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            return await _events.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no event on the {_description} within {Deadline.TotalSeconds} s");
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    public async Task<IReadOnlyList<WatchEvent>> TakeAsync(int count)
    {
        var taken = new List<WatchEvent>(count);
        while (taken.Count < count)
        {
            taken.Add(await NextAsync());
        }

        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
