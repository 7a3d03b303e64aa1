namespace ZLayer.Networking.Cni;

/// <summary>CHECK was asked for a container that has no ADD on record, which the specification forbids.</summary>
public sealed class CniNotAttachedException(string message, string containerId)
    : CniException(message, containerId: containerId);
