using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Control.State;

namespace ZLayer.Server.Tests;

/// <summary>Writes what a scheduler and an agent would, so replica listings have something to show.</summary>
public static class Seed
{
    /// <summary>An assignment and a report for replica <paramref name="index"/> of a deployed service, running the current spec.</summary>
    public static async Task<ReplicaStatus> ReplicaAsync(
        ControlPlane control,
        string deployment,
        string service,
        int index,
        ReplicaState state = ReplicaState.Running,
        HealthState health = HealthState.Healthy,
        int? exitCode = null,
        bool reported = true)
    {
        var record = await control.DeploymentRecordAsync(deployment) ?? throw new InvalidOperationException($"deploy {deployment} first");
        var hash = SpecHash.Of(DeploymentSpecs.Parse(record).Services[service]);
        var id = StateKeys.ReplicaId(deployment, service, index);
        await control.Repository.PutAsync(
            StateKeys.Assignment(deployment, service, index),
            new ReplicaAssignment(id, deployment, service, index, "node-1", hash, record.Generation));
        var status = new ReplicaStatus(
            id, deployment, service, index, "node-1", state, health, hash, $"rt-{index}", 4000 + index,
            $"10.0.0.{10 + index}", new Dictionary<string, int> { ["http"] = 8080 + index }, index, exitCode,
            exitCode is null ? null : "exited", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
        if (reported)
        {
            await control.Repository.PutAsync(StateKeys.StatusOf(deployment, service, index), status);
        }

        return status;
    }
}
