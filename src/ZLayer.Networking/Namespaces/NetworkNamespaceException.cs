namespace ZLayer.Networking.Namespaces;

/// <summary>A network namespace could not be created or deleted, or its name is not one ZLayer can use.</summary>
public sealed class NetworkNamespaceException(string message, Exception? inner = null) : Exception(message, inner);
