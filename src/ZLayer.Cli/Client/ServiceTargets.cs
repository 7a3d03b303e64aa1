using System.Globalization;
using ZLayer.Control.Api;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>A service named on the command line, with the deployment it belongs to; <see cref="Index"/> when one replica was named.</summary>
public sealed record ServiceTarget(string Deployment, string Service, int? Index = null)
{
    public string ReplicaId => $"{Deployment}.{Service}.{Index}";
}

/// <summary>
/// Turns what users type (<c>web</c>, or <c>web.2</c> or <c>web/2</c> for one replica) into a deployment and a
/// service: the deployment given with <c>-d</c>, else the one deployment that has the service, so
/// that nobody has to spell the deployment while there is only one.
/// </summary>
public static class ServiceTargets
{
    /// <summary>The target, or the exit code of the message already printed (1: not found, 2: ambiguous).</summary>
    public static async Task<(ServiceTarget? Target, int ExitCode)> ResolveAsync(
        ApiClient client, string name, string? deployment, bool allowReplica, CancellationToken ct)
    {
        var deployments = await client.GetAsync<List<DeploymentView>>(ApiPaths.Deployments, ct);
        var target = Find(deployments, name, deployment);
        if (target is null && allowReplica && SplitReplica(name) is { } replica)
        {
            target = Find(deployments, replica.Service, deployment) is { } service ? service with { Index = replica.Index } : null;
        }

        if (target is not null)
        {
            return (target, ExitCodes.Success);
        }

        var candidates = deployments.Where(d => d.Services.Any(s => s.Name == name)).Select(d => d.Name).ToList();
        if (deployment is null && candidates.Count > 1)
        {
            return (null, Commands.Usage.Fail($"service '{name}' is in several deployments ({string.Join(", ", candidates)}); choose one with -d DEPLOYMENT"));
        }

        Console.Error.WriteLine(deployment is null
            ? $"zlayer: no deployment has a service '{name}' (see `zlayer status`)"
            : $"zlayer: deployment '{deployment}' has no service '{name}' (see `zlayer status {deployment}`)");
        return (null, ExitCodes.Failure);
    }

    private static ServiceTarget? Find(List<DeploymentView> deployments, string service, string? deployment)
    {
        var matches = deployments
            .Where(d => (deployment is null || d.Name == deployment) && d.Services.Any(s => s.Name == service))
            .ToList();
        return matches.Count == 1 ? new ServiceTarget(matches[0].Name, service) : null;
    }

    private static (string Service, int Index)? SplitReplica(string name)
    {
        // web.2 as ps shows it, or web/2 as upstream writes it.
        var dot = name.LastIndexOfAny(['.', '/']);
        return dot > 0 && int.TryParse(name[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index > 0
            ? (name[..dot], index)
            : null;
    }
}
