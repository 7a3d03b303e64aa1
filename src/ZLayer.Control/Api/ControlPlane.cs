using ZLayer.Control.Discovery;
using ZLayer.Control.Model;
using ZLayer.Control.Scaling;
using ZLayer.Control.State;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Api;

/// <summary>
/// The operations the REST API offers, as writes of desired state and reads of observed state.
/// Nothing here starts or stops a replica: the scheduler and agents react to what is written.
/// </summary>
public sealed class ControlPlane(StateRepository repository, EventLog events, TimeProvider time)
{
    private readonly RevisionCache<IReadOnlyList<DeploymentView>> _deploymentViews = new();

    public StateRepository Repository { get; } = repository;

    public EventLog Events { get; } = events;

    /// <summary>Validates and stores a spec; an invalid one is refused with its diagnostics and changes nothing.</summary>
    public async Task<DeployOutcome> DeployAsync(string specText, string sourceName, string deployedBy, CancellationToken ct = default)
    {
        using var span = Telemetry.ControlTelemetry.StartDeploy();
        var outcome = await DeployCoreAsync(specText, sourceName, deployedBy, ct);
        span?.SetTag("zlayer.deployment", outcome.Deployment);
        span?.SetTag("zlayer.generation", outcome.Generation);
        span?.SetTag("zlayer.accepted", outcome.Accepted);
        return outcome;
    }

    private async Task<DeployOutcome> DeployCoreAsync(string specText, string sourceName, string deployedBy, CancellationToken ct)
    {
        var result = SpecLoader.LoadText(specText, sourceName, new LoadOptions { Format = SpecFormat.ZLayer });
        if (!result.Succeeded)
        {
            return new DeployOutcome(false, result.Spec?.Deployment, 0, null, result.Diagnostics);
        }

        var spec = result.Spec!;
        var conflicts = EndpointConflicts.Check(spec, sourceName, await Repository.DeploymentsAsync(ct));
        if (conflicts.Count > 0)
        {
            return new DeployOutcome(false, spec.Deployment, 0, null, [.. result.Diagnostics, .. conflicts]);
        }

        var key = StateKeys.Deployment(spec.Deployment);
        var existing = await Repository.GetAsync<DeploymentRecord>(key, ct);
        var previous = existing is { } e ? DeploymentSpecs.Parse(e.Value) : null;
        var changes = Diff(previous, spec);
        var now = time.GetUtcNow();
        var record = new DeploymentRecord(
            spec.Deployment,
            specText,
            (existing?.Value.Generation ?? 0) + 1,
            existing?.Value.CreatedAt ?? now,
            now,
            deployedBy);

        // Compare-and-swap so that two concurrent deploys of one name cannot both think they won.
        var txn = await Repository.Store.TxnAsync(
            [new Store.TxnCompare(key, existing?.ModRevision ?? 0)],
            [new Store.TxnOp.Put(key, StateJson.Serialize(record))],
            cancellationToken: ct);
        if (!txn.Succeeded)
        {
            throw new ConcurrencyException($"deployment '{spec.Deployment}' was changed by another deploy at the same time; try again");
        }

        await Events.AppendAsync(
            existing is null ? "deployment.created" : "deployment.updated",
            $"generation {record.Generation}: {Describe(changes)}",
            spec.Deployment,
            ct: ct);
        return new DeployOutcome(true, spec.Deployment, record.Generation, changes, result.Diagnostics);
    }

    /// <summary>Removes a deployment; agents stop its replicas in reverse dependency order.</summary>
    public async Task<bool> RemoveDeploymentAsync(string name, CancellationToken ct = default)
    {
        if (await Repository.Store.GetAsync(StateKeys.Deployment(name), ct) is null)
        {
            return false;
        }

        await Repository.Store.DeleteAsync(StateKeys.Deployment(name), ct);
        await Repository.Store.DeletePrefixAsync($"{StateKeys.Scale}{name}/", ct);
        await Repository.Store.DeletePrefixAsync($"{StateKeys.Autoscaler}{name}/", ct);

        // Its job runs go too: a run left unfinished (its replica is stopped, not ended) would
        // otherwise be assigned again when a deployment of the same name comes back.
        await Repository.Store.DeletePrefixAsync($"{StateKeys.Jobs}{name}/", ct);
        await Repository.Store.DeletePrefixAsync($"{StateKeys.JobLogs}{name}/", ct);
        await Events.AppendAsync("deployment.removed", "deployment removed; stopping its replicas", name, ct: ct);
        return true;
    }

    public async Task<IReadOnlyList<DeploymentView>> DeploymentsAsync(CancellationToken ct = default)
    {
        var revision = await Repository.Store.CurrentRevisionAsync(ct);
        return await _deploymentViews.GetAsync(revision, async () =>
        {
            var deployments = await Repository.DeploymentsAsync(ct);
            var statuses = await Repository.StatusesAsync(null, ct);
            var overrides = await Repository.ScaleOverridesAsync(ct);
            var decisions = (await Repository.ListAsync<AutoscalerRecord>(StateKeys.Autoscaler, ct)).ToDictionary(r => (r.Deployment, r.Service), r => r.Decisions);
            return [.. deployments.Select(d => View(d, statuses, overrides, decisions))];
        });
    }

    public async Task<DeploymentView?> DeploymentAsync(string name, CancellationToken ct = default) =>
        (await DeploymentsAsync(ct)).FirstOrDefault(d => d.Name == name);

    public async Task<DeploymentRecord?> DeploymentRecordAsync(string name, CancellationToken ct = default) =>
        (await Repository.GetAsync<DeploymentRecord>(StateKeys.Deployment(name), ct))?.Value;

    /// <summary>Sets a service's replica count; refused for jobs and cron, and above an adaptive service's max.</summary>
    public async Task<ServiceSpec> ScaleAsync(string deployment, string service, int replicas, CancellationToken ct = default)
    {
        if (replicas < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(replicas), "replicas must be 0 or more");
        }

        var record = await DeploymentRecordAsync(deployment, ct) ?? throw new NotFoundException($"no deployment '{deployment}'");
        var spec = DeploymentSpecs.Parse(record);
        if (!spec.Services.TryGetValue(service, out var svc))
        {
            throw new NotFoundException($"deployment '{deployment}' has no service '{service}'");
        }

        if (svc.Rtype != ResourceType.Service)
        {
            throw new InvalidOperationException($"service '{service}' is a {svc.Rtype.ToString().ToLowerInvariant()}; run it with `zlayer job run` instead of scaling it");
        }

        // Above max the autoscaler would take the count back at its next look: say so now instead.
        // Below min is allowed: scaling to 0 is how a service is parked.
        if ((svc.Scale ?? ScaleSpec.Default) is { Mode: ScaleMode.Adaptive, Max: { } max } && replicas > max)
        {
            throw new InvalidOperationException(
                $"service '{service}' scales adaptively up to {max} replicas (scale.max); {replicas} is more: raise scale.max in the spec, or use scale mode fixed or manual");
        }

        await Repository.PutAsync(StateKeys.ScaleOf(deployment, service), new ScaleOverride(deployment, service, replicas, "manual", time.GetUtcNow()), ct);
        await Events.AppendAsync("service.scaled", $"scaled to {replicas}", deployment, service, ct: ct);
        return svc;
    }

    public async Task<IReadOnlyList<ReplicaView>> ReplicasAsync(string? deployment, CancellationToken ct = default)
    {
        var statuses = await Repository.StatusesAsync(deployment, ct);
        var assignments = (await Repository.AssignmentsAsync(deployment, ct)).ToDictionary(a => a.ReplicaId);
        return [.. statuses.Select(s => new ReplicaView(s, assignments.GetValueOrDefault(s.ReplicaId)))];
    }

    private static DeploymentView View(
        DeploymentRecord record,
        List<ReplicaStatus> statuses,
        List<ScaleOverride> overrides,
        Dictionary<(string, string), IReadOnlyList<ScalingDecision>> decisions)
    {
        var spec = DeploymentSpecs.Parse(record);
        var services = spec.Services.Values.Select(s =>
        {
            var mine = statuses.Where(r => r.Deployment == record.Name && r.Service == s.Name).ToList();
            var scale = s.Scale ?? ScaleSpec.Default;
            var desired = s.Rtype == ResourceType.Service
                ? overrides.FirstOrDefault(o => o.Deployment == record.Name && o.Service == s.Name && o.AppliesTo(scale))?.Replicas ?? (int)scale.InitialReplicas
                : 0;
            return new ServiceView(
                s.Name,
                s.Rtype.ToString().ToLowerInvariant(),
                s.Runtime.ToString().ToLowerInvariant(),
                desired,
                mine.Count(r => r.State == ReplicaState.Running),
                mine.Count(r => r.State == ReplicaState.Running && r.Health == HealthState.Healthy),
                [.. s.Endpoints.Select(e => $"{e.Name} {e.Protocol.ToString().ToLowerInvariant()}:{e.Port}")],
                [.. s.Depends.Select(d => d.Service)],
                s.Rtype == ResourceType.Service ? Autoscaling(scale, decisions.GetValueOrDefault((record.Name, s.Name)) ?? []) : null);
        }).ToList();
        var status = services.All(s => s.Healthy >= s.Desired) ? "healthy" : services.Any(s => s.Running < s.Desired) ? "progressing" : "degraded";
        return new DeploymentView(record.Name, record.Generation, record.CreatedAt, record.UpdatedAt, record.DeployedBy, status, services);
    }

    private static AutoscalingView? Autoscaling(ScaleSpec scale, IReadOnlyList<ScalingDecision> decisions) =>
        scale.Mode == ScaleMode.Adaptive
            ? new AutoscalingView(
                (int)(scale.Min ?? 0),
                (int)(scale.Max ?? 0),
                (scale.Cooldown?.Value ?? AutoscalerOptions.StandardCooldown).TotalSeconds,
                scale.Targets?.Cpu,
                scale.Targets?.Memory,
                scale.Targets?.Rps,
                decisions)
            : null;

    private static DeployChanges Diff(DeploymentSpec? previous, DeploymentSpec next)
    {
        var before = previous?.Services.ToDictionary(s => s.Key, s => SpecHash.Of(s.Value)) ?? [];
        var after = next.Services.ToDictionary(s => s.Key, s => SpecHash.Of(s.Value));
        return new DeployChanges(
            [.. after.Keys.Where(k => !before.ContainsKey(k))],
            [.. after.Keys.Where(k => before.TryGetValue(k, out var h) && h != after[k])],
            [.. before.Keys.Where(k => !after.ContainsKey(k))],
            [.. after.Keys.Where(k => before.TryGetValue(k, out var h) && h == after[k])]);
    }

    private static string Describe(DeployChanges c)
    {
        var parts = new List<string>();
        if (c.Added.Count > 0)
        {
            parts.Add($"added {string.Join(", ", c.Added)}");
        }

        if (c.Changed.Count > 0)
        {
            parts.Add($"changed {string.Join(", ", c.Changed)}");
        }

        if (c.Removed.Count > 0)
        {
            parts.Add($"removed {string.Join(", ", c.Removed)}");
        }

        return parts.Count == 0 ? "no changes" : string.Join("; ", parts);
    }
}

public sealed class NotFoundException(string message) : Exception(message);

public sealed class ConcurrencyException(string message) : Exception(message);
