namespace ZLayer.Networking.Cni;

/// <summary>A plugin broke the protocol: a failure without a CNI error document, or a result that is not a valid CNI result.</summary>
public sealed class CniInvalidOutputException(string message, string plugin, CniCommand command, string containerId)
    : CniException(message, plugin, command, containerId);
