using System.Threading.Channels;
using ZLayer.Control.Api;
using ZLayer.Control.Store;
using ZLayer.Server.Events;

namespace ZLayer.Server.ApiSocket;

/// <summary>
/// One <c>subscribe</c>: follows the event log from its start point and queues matching events
/// on the connection's bounded outbox. It never waits for room: when the outbox is full the
/// client is reading too slowly, so the subscription ends with <c>lagged</c> and the sequence to
/// resume after, instead of buffering without bound or stalling the other subscriptions.
/// </summary>
public sealed class SocketSubscription : IAsyncDisposable
{
    private static long s_lagged;

    private readonly CancellationTokenSource _stop;
    private readonly Task _pump;

    public SocketSubscription(long id, ControlPlane control, EventFilter filter, long after, ChannelWriter<byte[]> outbox, CancellationToken connection)
    {
        Id = id;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(connection);
        _pump = Task.Run(() => PumpAsync(control, filter, after, outbox, _stop.Token), CancellationToken.None);
    }

    public long Id { get; }

    /// <summary>Subscriptions ended as lagged since the process started: a sign of clients too slow for the event rate.</summary>
    public static long LaggedTotal => Interlocked.Read(ref s_lagged);

    /// <summary>Completes when the subscription ends, by <see cref="DisposeAsync"/> or on its own (lagged, store error).</summary>
    public Task Completion => _pump;

    private async Task PumpAsync(ControlPlane control, EventFilter filter, long after, ChannelWriter<byte[]> outbox, CancellationToken ct)
    {
        // The resume point is the last event queued for the client: everything up to it will
        // reach the client before the end notice does, as the outbox keeps order.
        var last = after;
        var reason = "error";
        var message = "the event log ended (the daemon is stopping)";
        try
        {
            await foreach (var evt in control.Events.FollowAsync(after, ct))
            {
                if (!filter.Matches(evt))
                {
                    continue;
                }

                if (!outbox.TryWrite(SocketMessages.Event(Id, evt)))
                {
                    Interlocked.Increment(ref s_lagged);
                    reason = "lagged";
                    message = "the client read too slowly and the daemon's queue for it filled; subscribe again with after = resumeAfter";
                    break;
                }

                last = evt.Sequence;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Unsubscribed, or the connection is closing: nothing to tell.
            return;
        }
        catch (StoreUnavailableException ex)
        {
            reason = "error";
            message = ex.Message;
        }

        try
        {
            // The one message that waits for room: the client must learn where to resume.
            await outbox.WriteAsync(SocketMessages.Ended(Id, reason, message, last), ct);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // The connection closed first; the client resumes from the last event it saw.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
