using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Control.State;

namespace ZLayer.Server;

/// <summary>Replicas: what every agent last reported, merged with what the scheduler assigned.</summary>
public static class ReplicaRoutes
{
    public static RouteGroupBuilder MapReplicaRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/replicas", async (string? deployment, string? service, ControlPlane control, CancellationToken ct) =>
        {
            if (deployment is not null)
            {
                RouteNames.Deployment(deployment);
            }

            var replicas = await ListAsync(control, deployment, ct);
            return TypedResults.Ok(service is null ? replicas : [.. replicas.Where(r => r.Service == service)]);
        })
            .WithName("ListReplicas")
            .WithSummary("Replicas as the agents report them, merged with the scheduler's assignments")
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType);
        return api;
    }

    public static async Task<List<ReplicaResource>> ListAsync(ControlPlane control, string? deployment, CancellationToken ct)
    {
        var reported = await control.ReplicasAsync(deployment, ct);
        var assignments = await control.Repository.AssignmentsAsync(deployment, ct);
        var current = await CurrentHashesAsync(control, deployment, ct);
        var list = reported.Select(r => From(r.Status, r.Assignment, current)).ToList();

        // Assigned but not yet reported: the agent has not picked it up, which users see as pending.
        var seen = list.Select(r => r.Replica).ToHashSet(StringComparer.Ordinal);
        list.AddRange(assignments
            .Where(a => !seen.Contains(a.ReplicaId))
            .Select(a => new ReplicaResource(
                a.ReplicaId, a.Deployment, a.Service, a.Index, a.Node, ReplicaState.Pending, HealthState.Unknown,
                null, new Dictionary<string, int>(), 0, null, "assigned; waiting for the node's agent", null, null,
                false, null, null)));
        return [.. list
            .OrderBy(r => r.Deployment, StringComparer.Ordinal)
            .ThenBy(r => r.Service, StringComparer.Ordinal)
            .ThenBy(r => r.Index)];
    }

    private static ReplicaResource From(ReplicaStatus s, ReplicaAssignment? a, Dictionary<(string, string), string> current) => new(
        s.ReplicaId,
        s.Deployment,
        s.Service,
        s.Index,
        s.Node,
        s.State,
        s.Health,
        s.Address,
        s.Ports,
        s.Restarts,
        s.ExitCode,
        s.Message,
        s.StartedAt,
        s.UpdatedAt,
        current.TryGetValue((s.Deployment, s.Service), out var hash) && hash == s.SpecHash && (a is null || a.SpecHash == hash),
        s.RuntimeId,
        s.Pid);

    /// <summary>The spec hash every service of the current generation runs, to tell replicas of an older spec apart.</summary>
    private static async Task<Dictionary<(string, string), string>> CurrentHashesAsync(ControlPlane control, string? deployment, CancellationToken ct)
    {
        var records = deployment is null
            ? await control.Repository.DeploymentsAsync(ct)
            : await control.DeploymentRecordAsync(deployment, ct) is { } one ? [one] : [];
        var hashes = new Dictionary<(string, string), string>();
        foreach (var record in records)
        {
            foreach (var (name, service) in DeploymentSpecs.Parse(record).Services)
            {
                hashes[(record.Name, name)] = SpecHash.Of(service);
            }
        }

        return hashes;
    }
}
