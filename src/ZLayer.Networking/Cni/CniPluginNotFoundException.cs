namespace ZLayer.Networking.Cni;

/// <summary>No executable for a plugin named in the network configuration was found in the plugin directories.</summary>
public sealed class CniPluginNotFoundException(string message, string plugin, CniCommand command, string containerId, IReadOnlyList<string> searched)
    : CniException(message, plugin, command, containerId)
{
    public IReadOnlyList<string> SearchedDirectories { get; } = searched;
}
