namespace ZLayer.Networking.Cni;

/// <summary>
/// Networking through CNI failed. <see cref="Plugin"/> and <see cref="Command"/> name the plugin
/// invocation that failed when one did; the subclasses say how it failed.
/// </summary>
public class CniException(string message, string? plugin = null, CniCommand? command = null, string? containerId = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string? Plugin { get; } = plugin;

    public CniCommand? Command { get; } = command;

    public string? ContainerId { get; } = containerId;

    /// <summary>
    /// Set when an ADD failed and undoing what the plugins before the failure had done (DEL of the
    /// list) failed too: the container may still hold resources, and a later detach should retry.
    /// </summary>
    public Exception? RollbackFailure { get; internal set; }
}
