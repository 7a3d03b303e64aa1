using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>Finds, in the final result of an ADD, what a replica's attachment is: its interface, IPv4 address, gateway and veth.</summary>
internal static class AttachmentReader
{
    /// <summary>Throws <see cref="FormatException"/> when the result does not describe the interface that was asked for.</summary>
    public static NetworkAttachment Read(CachedAttachment record)
    {
        var result = CniResultReader.Read(record.Result);
        var index = -1;
        for (var i = 0; i < result.Interfaces.Count; i++)
        {
            if (result.Interfaces[i].Name == record.InterfaceName && result.Interfaces[i].Sandbox is not null)
            {
                index = i;
            }
        }
        if (index < 0)
        {
            throw new FormatException($"result.interfaces has no interface {record.InterfaceName} inside a namespace");
        }
        var ip = result.Ips.FirstOrDefault(ip => ip.Interface == index && ip.Address.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new FormatException($"result.ips has no IPv4 address for interface {record.InterfaceName} (result.interfaces[{index}])");

        var bridge = record.Config.Plugins
            .Select(p => p["bridge"] is JsonValue name && name.TryGetValue<string>(out var text) ? text : null)
            .FirstOrDefault(name => name is not null);
        // The host end of the veth pair: a host interface (no sandbox) that is not the bridge itself.
        var host = result.Interfaces.LastOrDefault(i => i.Sandbox is null && i.Name != bridge)?.Name;

        var ports = PortMappingJson.FromCapability(record.CapabilityArgs[ZLayerNetworkConfig.PortMappingsCapability], "capabilityArgs");
        return new NetworkAttachment(
            record.ContainerId,
            record.NetnsPath,
            record.InterfaceName,
            ip.Address,
            ip.PrefixLength,
            ip.Gateway,
            result.Interfaces[index].Mac,
            host,
            ports);
    }
}
