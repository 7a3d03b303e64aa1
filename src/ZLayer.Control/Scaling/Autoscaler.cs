using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Scaling;

/// <summary>
/// Metrics to desired replica counts for <c>scale.mode: adaptive</c> services with targets. Every
/// interval it samples CPU, memory and requests per second, smooths them (<see cref="ExponentialAverage"/>),
/// asks <see cref="ScalingRule"/> for a count, holds scale-downs to the window's highest
/// recommendation (<see cref="ScaleDownStabilizer"/>) and acts only outside the cooldown. It acts
/// as `zlayer scale` does, by writing the service's scale override, so the scheduler follows it
/// and a manual scale is simply the autoscaler's new starting point. Each action is written in
/// one commit with its <c>service.scaled</c> event and the service's decision record.
/// </summary>
public sealed class Autoscaler(StateRepository repository, EventLog events, IScalingMetrics metrics, TimeProvider time, AutoscalerOptions? options = null)
{
    private readonly AutoscalerOptions _options = options ?? new AutoscalerOptions();
    private readonly Dictionary<(string Deployment, string Service), ServiceWatch> _watched = [];

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        try
        {
            do
            {
                await EvaluateAsync(ct);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sample and decision for every adaptive service; returns the actions taken.</summary>
    public async Task<IReadOnlyList<ScalingDecision>> EvaluateAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var scaled = await AdaptiveServicesAsync(ct);
        var overrides = (await repository.ScaleOverridesAsync(ct)).ToDictionary(o => (o.Deployment, o.Service));
        var measured = scaled.Where(s => s.Scale.Targets!.Cpu is not null || s.Scale.Targets.Memory is not null).Select(s => s.Key).ToHashSet();
        var usage = (await metrics.ReadUsageAsync(measured, ct)).ToLookup(u => (u.Deployment, u.Service));
        var rates = metrics.ReadRequestRates().ToLookup(r => (r.Deployment, r.Service));
        var actions = new List<ScalingDecision>();
        foreach (var (key, service, scale) in scaled)
        {
            if (!_watched.TryGetValue(key, out var watch))
            {
                _watched[key] = watch = new ServiceWatch(_options, now);
            }

            var last = overrides.GetValueOrDefault(key);
            var current = last?.Replicas ?? (int)scale.InitialReplicas;
            var load = ServiceLoad.Measure(service, [.. usage[key]], [.. rates[key]], _options.NodeMemoryBytes);
            var signals = watch.Smooth(load, scale.Targets!, current, now);
            if (signals.Count == 0)
            {
                // Nothing measured yet (no serving replica, no proxy): no data is no reason to act.
                continue;
            }

            if (Decide(watch, scale, current, last, signals, now) is { } decision)
            {
                await RecordAsync(key.Deployment, key.Service, decision, ct);
                actions.Add(decision);
            }
        }

        var seen = scaled.Select(s => s.Key).ToHashSet();
        foreach (var gone in _watched.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _watched.Remove(gone);
        }

        return actions;
    }

    /// <summary>
    /// The services the autoscaler follows: long-running, adaptive, with targets. Without targets
    /// there is nothing to follow, and the service stays where deploy or `zlayer scale` put it.
    /// </summary>
    private async Task<List<((string Deployment, string Service) Key, ServiceSpec Service, ScaleSpec Scale)>> AdaptiveServicesAsync(CancellationToken ct)
    {
        var found = new List<((string, string), ServiceSpec, ScaleSpec)>();
        foreach (var record in await repository.DeploymentsAsync(ct))
        {
            foreach (var service in DeploymentSpecs.Parse(record).Services.Values)
            {
                if (service.Rtype == ResourceType.Service && service.Scale is { Mode: ScaleMode.Adaptive, Targets: not null } scale)
                {
                    found.Add(((record.Name, service.Name), service, scale));
                }
            }
        }

        return found;
    }

    private ScalingDecision? Decide(ServiceWatch watch, ScaleSpec scale, int current, ScaleOverride? last, List<ScalingRule.Signal> signals, DateTimeOffset now)
    {
        int min = (int)(scale.Min ?? 0), max = (int)(scale.Max ?? 0);
        var proposal = ScalingRule.Propose(current, min, max, signals, _options.Tolerance);
        watch.Stabilizer.Record(now, proposal.Desired);
        var next = proposal.Desired >= current ? proposal.Desired : Math.Min(current, watch.Stabilizer.Floor(now) ?? current);

        // The window holds back scale-downs the load asks for, not a count outside the bounds (a lowered max).
        next = Math.Clamp(next, min, Math.Max(min, max));
        if (next == current)
        {
            return null;
        }

        // Measured from the last action, the autoscaler's or a manual scale; deploying is not one,
        // so the first scale-up under load is not delayed (as the HPA).
        var cooldown = scale.Cooldown?.Value ?? _options.DefaultCooldown;
        if (last is not null && now - last.UpdatedAt < cooldown)
        {
            return null;
        }

        var reason = current < min || current > max ? "bounds" : "load";
        return new ScalingDecision(now, current, next, reason, proposal.Readings);
    }

    /// <summary>The new count, the decision record and the event, in one commit: none is ever seen without the others.</summary>
    private async Task RecordAsync(string deployment, string service, ScalingDecision decision, CancellationToken ct)
    {
        var recordKey = StateKeys.AutoscalerOf(deployment, service);
        var previous = (await repository.GetAsync<AutoscalerRecord>(recordKey, ct))?.Value.Decisions ?? [];
        var record = new AutoscalerRecord(deployment, service, [.. previous.TakeLast(_options.DecisionsKept - 1), decision]);
        var scaled = new ScaleOverride(deployment, service, decision.To, ScaleOverride.AutoscalerSource, decision.Time);
        await events.AppendWithAsync(
            [
                new TxnOp.Put(StateKeys.ScaleOf(deployment, service), StateJson.Serialize(scaled)),
                new TxnOp.Put(recordKey, StateJson.Serialize(record)),
            ],
            "service.scaled",
            decision.Describe(),
            deployment,
            service,
            ct: ct);
    }
}
