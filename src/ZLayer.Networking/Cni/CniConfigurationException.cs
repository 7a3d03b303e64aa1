namespace ZLayer.Networking.Cni;

/// <summary>Options, a network configuration, a container id, an interface name or a port mapping is not acceptable.</summary>
public sealed class CniConfigurationException(string message) : CniException(message);
