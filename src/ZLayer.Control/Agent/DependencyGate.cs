using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Agent;

/// <summary>
/// Holds a replica back until the services it depends on meet their condition (SPEC.md Part A
/// item 5): started = a replica running; healthy = a replica running and healthy; ready = as
/// healthy until the node proxy counts backends; completed = a run that exited 0.
/// </summary>
public sealed class DependencyGate(StateRepository repository, TimeProvider time, Action<string> report)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Returns when every dependency is met; throws <see cref="DependencyFailedException"/> on a timeout with on_timeout: fail.</summary>
    public async Task WaitAsync(string deployment, ServiceSpec service, CancellationToken ct)
    {
        foreach (var dependency in service.Depends)
        {
            var timeout = (dependency.Timeout ?? DependsSpec.DefaultTimeout).Value;
            var until = time.GetUtcNow() + timeout;
            var announced = false;
            while (!await IsMetAsync(deployment, dependency, ct))
            {
                if (!announced)
                {
                    report($"waiting for {dependency.Service} to be {Describe(dependency.Condition)} (up to {timeout.TotalSeconds:0}s)");
                    announced = true;
                }

                if (time.GetUtcNow() >= until)
                {
                    var message = $"{dependency.Service} was not {Describe(dependency.Condition)} within {timeout.TotalSeconds:0}s";
                    if (dependency.OnTimeout == TimeoutAction.Fail)
                    {
                        throw new DependencyFailedException(message);
                    }

                    report($"{message}; starting anyway (on_timeout: {dependency.OnTimeout.ToString().ToLowerInvariant()})");
                    break;
                }

                await Task.Delay(PollInterval, time, ct);
            }
        }
    }

    public async Task<bool> IsMetAsync(string deployment, DependsSpec dependency, CancellationToken ct)
    {
        var replicas = (await repository.StatusesAsync(deployment, ct)).Where(s => s.Service == dependency.Service).ToList();
        return dependency.Condition switch
        {
            DependsCondition.Started => replicas.Any(r => r.State == ReplicaState.Running),
            DependsCondition.Completed => replicas.Any(r => r.State == ReplicaState.Exited && r.ExitCode == 0) ||
                (await repository.ListAsync<JobExecution>(StateKeys.JobsOf(deployment, dependency.Service), ct)).Any(j => j.State == "succeeded"),
            _ => replicas.Any(r => r.State == ReplicaState.Running && r.Health == HealthState.Healthy),
        };
    }

    /// <summary>Where each service of the deployment can be reached now: its first running replica (healthy first).</summary>
    public async Task<Dictionary<string, ServiceAddress>> AddressesAsync(DeploymentSpec spec, CancellationToken ct)
    {
        var statuses = await repository.StatusesAsync(spec.Deployment, ct);
        var result = new Dictionary<string, ServiceAddress>(StringComparer.Ordinal);
        foreach (var group in statuses.Where(s => s.State == ReplicaState.Running).GroupBy(s => s.Service))
        {
            var best = group.OrderByDescending(s => s.Health == HealthState.Healthy).ThenBy(s => s.Index).First();
            var first = spec.Services.TryGetValue(group.Key, out var svc) ? svc.Endpoints.FirstOrDefault()?.Name : null;
            result[group.Key] = new ServiceAddress(best.Address ?? "127.0.0.1", best.Ports, first);
        }

        return result;
    }

    private static string Describe(DependsCondition condition) => condition switch
    {
        DependsCondition.Started => "started",
        DependsCondition.Completed => "completed",
        DependsCondition.Ready => "ready",
        _ => "healthy",
    };
}

public sealed class DependencyFailedException(string message) : Exception(message);
