namespace ZLayer.Networking.Cni;

/// <summary>The CNI operations ZLayer invokes; <see cref="CniCommands.ToWire"/> gives the CNI_COMMAND value.</summary>
public enum CniCommand { Add, Del, Check }
