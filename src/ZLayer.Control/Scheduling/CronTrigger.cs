using ZLayer.Control.Api;
using ZLayer.Control.State;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Scheduling;

/// <summary>
/// Triggers cron services on their schedule (UTC). Checks every second, like upstream; times that
/// passed while the daemon was down are not made up for, and a run is skipped (with an event)
/// while the previous one still runs.
/// </summary>
public sealed class CronTrigger(StateRepository repository, JobOperations jobs, TimeProvider time)
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Deployment, string Service, string Schedule), DateTimeOffset> _lastFired = [];

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await CheckAsync(ct);
                await Task.Delay(Tick, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check: fires every cron service whose next time after its last firing has come.</summary>
    public async Task<int> CheckAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var fired = 0;
        var seen = new HashSet<(string, string, string)>();
        foreach (var record in await repository.DeploymentsAsync(ct))
        {
            var spec = DeploymentSpecs.Parse(record);
            foreach (var service in spec.Services.Values.Where(s => s.Rtype == ResourceType.Cron && s.Schedule is not null))
            {
                var key = (record.Name, service.Name, service.Schedule!.Text);
                seen.Add(key);
                if (!_lastFired.TryGetValue(key, out var last))
                {
                    // First sight (a new deployment, or a daemon start): count from now.
                    _lastFired[key] = now;
                    continue;
                }

                if (service.Schedule.NextAfter(last) is { } next && next <= now)
                {
                    _lastFired[key] = now;
                    await jobs.TriggerAsync(record.Name, service.Name, "cron", ct);
                    fired++;
                }
            }
        }

        foreach (var gone in _lastFired.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _lastFired.Remove(gone);
        }

        return fired;
    }
}
