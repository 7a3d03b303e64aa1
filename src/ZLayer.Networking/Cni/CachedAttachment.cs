using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>
/// What an ADD left behind that DEL and CHECK need, possibly after a daemon restart: the
/// configuration list as it was used (the options may have changed since), the capability
/// arguments, the namespace path and the final result, which becomes their prevResult.
/// </summary>
internal sealed record CachedAttachment(
    string Network,
    string ContainerId,
    string InterfaceName,
    string NetnsPath,
    NetworkConfigList Config,
    JsonObject CapabilityArgs,
    JsonObject Result);
