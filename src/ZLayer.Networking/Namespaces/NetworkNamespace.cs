namespace ZLayer.Networking.Namespaces;

/// <summary>A named network namespace of one replica: <paramref name="Path"/> is what CNI_NETNS and runc's namespace path take.</summary>
public sealed record NetworkNamespace(string Name, string ReplicaId, string Path);
