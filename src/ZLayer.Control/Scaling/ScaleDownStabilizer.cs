namespace ZLayer.Control.Scaling;

/// <summary>
/// Remembers a service's recommended counts over the scale-down window and allows a scale-down
/// only to the highest of them, as Kubernetes' HPA does: load must stay low for the whole window
/// before replicas go, so a short dip between bursts does not remove capacity the next burst
/// needs. Until a full window has been watched (a new service, a restarted daemon) it allows none.
/// </summary>
public sealed class ScaleDownStabilizer(TimeSpan window, DateTimeOffset watchingSince)
{
    private readonly Queue<(DateTimeOffset At, int Count)> _recommendations = new();

    public void Record(DateTimeOffset at, int count)
    {
        _recommendations.Enqueue((at, count));
        while (_recommendations.Count > 0 && _recommendations.Peek().At < at - window)
        {
            _recommendations.Dequeue();
        }
    }

    /// <summary>The lowest count a scale-down may go to now, or null while the window is not yet covered.</summary>
    public int? Floor(DateTimeOffset now) =>
        now - watchingSince < window || _recommendations.Count == 0 ? null : _recommendations.Max(r => r.Count);
}
