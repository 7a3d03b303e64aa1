using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>The configuration lists of ZLayer's network, built from <see cref="CniOptions"/>.</summary>
internal static class ZLayerNetworkConfig
{
    /// <summary>Capability through which portmap receives the replica's published ports.</summary>
    public const string PortMappingsCapability = "portMappings";

    /// <summary>
    /// bridge: a veth pair per replica on the bridge, which holds the gateway address; ipMasq
    /// masquerades replica traffic leaving the subnet (egress); hairpinMode lets a replica reach
    /// itself through a published port. host-local hands out addresses and keeps its reservations
    /// under our data directory. portmap publishes host ports (DNAT), with SNAT so the host
    /// itself (127.0.0.1) and other replicas can use them too.
    /// </summary>
    public static NetworkConfigList Bridge(CniOptions options) => new(
        options.NetworkName,
        CniNetwork.SpecVersion,
        disableCheck: false,
        [
            new JsonObject
            {
                ["type"] = "bridge",
                ["bridge"] = options.BridgeName,
                ["isGateway"] = true,
                ["ipMasq"] = true,
                ["hairpinMode"] = true,
                ["ipam"] = new JsonObject
                {
                    ["type"] = "host-local",
                    ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = options.Subnet.ToString() })),
                    ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
                    ["dataDir"] = IpamDirectory(options),
                },
            },
            new JsonObject
            {
                ["type"] = "portmap",
                ["capabilities"] = new JsonObject { [PortMappingsCapability] = true },
                ["snat"] = true,
            },
        ]);

    /// <summary>The loopback plugin, attached as its own network on "lo": a namespace starts with lo down.</summary>
    public static NetworkConfigList Loopback(CniOptions options) => new(
        LoopbackNetworkName(options),
        CniNetwork.SpecVersion,
        disableCheck: false,
        [new JsonObject { ["type"] = "loopback" }]);

    public static string LoopbackNetworkName(CniOptions options) => options.NetworkName + "-loopback";

    /// <summary>host-local keeps one file per reserved address under <c>DIR/NETWORK/</c>.</summary>
    public static string IpamDirectory(CniOptions options) => Path.Combine(options.DataDirectory, "ipam");
}
