using System.Runtime.Versioning;
using ZLayer.Images;
using ZLayer.Networking;
using ZLayer.Networking.Cni;
using ZLayer.Networking.Namespaces;
using ZLayer.Runtime.Runc;

namespace ZLayer.Cli.Daemon;

/// <summary>Builds the runc runtime with this node's container network (CNI on the node's bridge and subnet).</summary>
[SupportedOSPlatform("linux")]
internal static class ContainerRuntime
{
    public static RuncRuntime Create(DaemonOptions options, ImageService images, TimeProvider time, DaemonLogger log)
    {
        var cni = new CniNetwork(new CniOptions
        {
            DataDirectory = Path.Combine(options.DataDirectory, "cni"),
            Subnet = options.ContainerSubnet,
            BridgeName = options.Bridge,
        });
        var network = new CniContainerNetwork(cni, new NetworkNamespaces());
        return new RuncRuntime(options.DataDirectory, images, network, time, log: message => log.Warn(message, ("runtime", "runc")));
    }
}
