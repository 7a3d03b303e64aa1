using ZLayer.Control.Api;

namespace ZLayer.Server.Events;

/// <summary>Where a follower of the event log starts, shared by the Server-Sent Events stream and the WebSocket.</summary>
public static class EventCursor
{
    /// <summary>
    /// After the client's last event when it resumes; from a time when asked; otherwise only
    /// what happens from now on, as <c>docker events</c> does. Returns the sequence to follow after.
    /// </summary>
    public static async Task<long> StartAsync(ControlPlane control, long? after, DateTimeOffset? since, CancellationToken ct)
    {
        if (after is { } resume)
        {
            return resume;
        }

        var stored = await control.Events.ListAsync(null, ct);
        return since is { } from
            ? stored.Where(e => e.Time < from).Select(e => e.Sequence).DefaultIfEmpty(0).Max()
            : stored.Select(e => e.Sequence).DefaultIfEmpty(0).Max();
    }
}
