using ZLayer.Control.Model;
using ZLayer.Runtime;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Agent;

/// <summary>
/// Checks a running replica on its schedule (start_grace, interval, timeout, retries; upstream's
/// defaults 5 s, 10 s, 5 s, 3) and reports health changes. Returns true when the replica must be
/// restarted: unhealthy after `retries` consecutive failures with on_unhealthy restart (the
/// default, where Compose never restarts); isolate and none keep it running, out of rotation.
/// </summary>
public sealed class HealthMonitor(ReplicaContext context, ReplicaHandle handle)
{
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(60);

    public async Task<bool> RunAsync(CancellationToken ct)
    {
        var service = context.Service;
        var check = HealthProbe.EffectiveCheck(service);
        if (check is null)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.Time, ct);
            return false;
        }

        var health = service.Health;
        var grace = (health?.StartGrace ?? HealthSpec.DefaultStartGrace).Value;
        var interval = (health?.Interval ?? HealthSpec.DefaultInterval).Value;
        var timeout = (health?.Timeout ?? HealthSpec.DefaultTimeout).Value;
        var retries = Math.Max(1, (int)(health?.Retries ?? 3));
        var action = health?.OnUnhealthy ?? (service.Errors?.OnPanic?.Action == PanicAction.Isolate ? UnhealthyAction.Isolate : UnhealthyAction.Restart);

        var status = context.Reporter.Current;
        var probe = new HealthProbe(context.Runtime, handle, service, status.Address ?? "127.0.0.1", status.Ports);
        await Task.Delay(grace, context.Time, ct);
        var failures = 0;
        var wait = interval;
        while (true)
        {
            var (healthy, detail) = await probe.CheckAsync(check, timeout, ct);
            if (healthy)
            {
                failures = 0;
                wait = interval;
                if (context.Reporter.Current.Health != HealthState.Healthy)
                {
                    await context.Reporter.UpdateAsync(s => s with { Health = HealthState.Healthy, Message = null }, $"healthy: {detail}", ct);
                }
            }
            else if (++failures >= retries)
            {
                if (context.Reporter.Current.Health != HealthState.Unhealthy)
                {
                    await context.Reporter.UpdateAsync(s => s with { Health = HealthState.Unhealthy, Message = detail }, $"unhealthy after {failures} failed checks: {detail}", ct);
                }

                if (action == UnhealthyAction.Restart)
                {
                    return true;
                }

                // Out of rotation and still checked, less often, in case it recovers.
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxInterval.Ticks));
            }

            await Task.Delay(wait, context.Time, ct);
        }
    }
}
