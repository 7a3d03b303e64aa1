using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// Copies cluster events into the daemon's log as they are written, so that what `zlayer events`
/// shows also reaches journald or a log shipper without a client attached.
/// </summary>
public sealed class EventLogWriter(EventLog events, DaemonLogger log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var existing = await events.ListAsync(ct: ct);
        var after = existing.Count > 0 ? existing[^1].Sequence : 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var evt in events.FollowAsync(after, ct))
                {
                    after = evt.Sequence;
                    Write(evt);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException)
            {
                // The log fell behind the store's history (a burst of writes); carry on from what is there now.
                log.Warn("event log: skipped events written while the log writer fell behind");
            }
        }
    }

    private void Write(ClusterEvent evt)
    {
        var fields = new (string, object?)[] { ("event", evt.Type), ("deployment", evt.Deployment), ("service", evt.Service), ("replica", evt.Replica) };
        var failed = evt.Type.EndsWith(".failed", StringComparison.Ordinal) || evt.Type.Contains("crash", StringComparison.Ordinal);
        if (failed)
        {
            log.Warn(evt.Message, fields);
        }
        else
        {
            log.Info(evt.Message, fields);
        }
    }
}
