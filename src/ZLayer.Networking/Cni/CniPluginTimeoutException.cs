namespace ZLayer.Networking.Cni;

/// <summary>A plugin did not finish within <see cref="CniOptions.PluginTimeout"/> and was killed with its children.</summary>
public sealed class CniPluginTimeoutException(string message, string plugin, CniCommand command, string containerId, TimeSpan timeout)
    : CniException(message, plugin, command, containerId)
{
    public TimeSpan Timeout { get; } = timeout;
}
