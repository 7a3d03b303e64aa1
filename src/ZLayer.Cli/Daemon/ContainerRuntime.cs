using System.Runtime.Versioning;
using ZLayer.Images;
using ZLayer.Networking;
using ZLayer.Networking.Cni;
using ZLayer.Networking.Namespaces;
using ZLayer.Runtime;
using ZLayer.Runtime.Docker;
using ZLayer.Runtime.Runc;

namespace ZLayer.Cli.Daemon;

/// <summary>Builds the container runtimes: runc with this node's container network (CNI on the node's bridge and subnet), and Docker over the engine's socket.</summary>
[SupportedOSPlatform("linux")]
internal static class ContainerRuntime
{
    private static readonly TimeSpan DockerConnectTimeout = TimeSpan.FromSeconds(10);

    public static RuncRuntime Create(DaemonOptions options, ImageService images, TimeProvider time, DaemonLogger log, NodeResolver? resolver)
    {
        var cni = new CniNetwork(new CniOptions
        {
            DataDirectory = Path.Combine(options.DataDirectory, "cni"),
            Subnet = options.ContainerSubnet,
            BridgeName = options.Bridge,
        });
        var network = new CniContainerNetwork(cni, new NetworkNamespaces());
        return new RuncRuntime(options.DataDirectory, images, network, time, log: message => log.Warn(message, ("runtime", "runc")), resolver: resolver);
    }

    /// <summary>
    /// The docker runtime on the engine at DOCKER_HOST (unix://) or the default Docker and Podman
    /// sockets; null and why (naming the socket) when there is no engine there or it does not answer.
    /// Named volumes are the node's own (DATA/volumes), shared with the runc runtime.
    /// </summary>
    public static async Task<(DockerRuntime? Runtime, string? Unavailable)> ConnectDockerAsync(DaemonOptions options, ImageService images, NodeResolver? resolver, CancellationToken ct)
    {
        string socket;
        try
        {
            socket = DockerSocket.Locate();
        }
        catch (RuntimeException e)
        {
            return (null, e.Message);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(DockerConnectTimeout);
        try
        {
            var engine = await DockerEngine.ConnectAsync(socket, limit.Token);
            return (new DockerRuntime(engine, new NamedVolumes(Path.Combine(options.DataDirectory, "volumes")), () => images.Settings) { Resolver = resolver }, null);
        }
        catch (RuntimeException e)
        {
            return (null, e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"the Docker engine at {socket} did not answer within {DockerConnectTimeout.TotalSeconds:0} s");
        }
    }
}
