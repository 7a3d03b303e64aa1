namespace ZLayer.Networking.Cni;

/// <summary>
/// The runtime parameters of one operation, passed to every plugin of the list through the
/// environment. <paramref name="NetnsPath"/> null leaves CNI_NETNS out, which the specification
/// allows for DEL when the namespace is gone.
/// </summary>
internal sealed record PluginInvocation(CniCommand Command, string Network, string ContainerId, string? NetnsPath, string InterfaceName)
{
    /// <summary>How errors name the operation: "CNI plugin 'bridge' ADD for container c1 on network zlayer".</summary>
    public string Describe(string plugin) =>
        $"CNI plugin '{plugin}' {Command.ToWire()} for container {ContainerId} on network {Network}";
}
