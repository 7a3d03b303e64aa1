namespace ZLayer.Networking.Cni;

/// <summary>A cached ADD result could not be read or written; <see cref="FilePath"/> is the file concerned.</summary>
public sealed class CniCacheException(string message, string filePath, string? containerId = null, Exception? inner = null)
    : CniException(message, containerId: containerId, inner: inner)
{
    public string FilePath { get; } = filePath;
}
