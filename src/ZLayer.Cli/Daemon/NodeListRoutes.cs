using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Control.State;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// <c>GET /api/v1/nodes</c>: the nodes of the cluster, which on a single machine is this one:
/// its identity, addresses, runtimes, capacity and what it runs.
/// </summary>
public static class NodeListRoutes
{
    public const string Path = "/nodes";

    public static RouteGroupBuilder MapNodeListRoutes(this RouteGroupBuilder api, string nodeId, string runtime, IReadOnlyCollection<string> runtimes)
    {
        api.MapGet(Path, async (ControlPlane control, CancellationToken ct) =>
        {
            var record = await control.Repository.GetAsync<NodeRecord>(StateKeys.Node(nodeId), ct);
            var running = (await control.Repository.StatusesAsync(null, ct)).Count(s => s.Node == nodeId && s.State == ReplicaState.Running);
            var node = new NodeResource(
                nodeId,
                record?.Value.Hostname ?? Environment.MachineName,
                Addresses(),
                record?.Value.State ?? "unknown",
                record?.Value.UpdatedAt,
                runtime,
                [.. runtimes.Order(StringComparer.Ordinal)],
                new NodeCapacity(Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes),
                running,
                Commands.VersionCommand.Version);
            return TypedResults.Ok<IReadOnlyList<NodeResource>>([node]);
        })
            .WithName("ListNodes")
            .WithSummary("The cluster's nodes (this one on a single machine): addresses, runtimes, capacity, running replicas");
        return api;
    }

    /// <summary>The addresses other machines could reach this node on: up interfaces, no loopback, no link-local.</summary>
    internal static List<string> Addresses()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces()
                .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal)
                .Select(a => a.ToString())
                .Distinct(StringComparer.Ordinal)];
        }
        catch (NetworkInformationException)
        {
            // Interfaces cannot be listed (no /proc/net in a minimal sandbox): the node is still listed.
            return [];
        }
    }
}
