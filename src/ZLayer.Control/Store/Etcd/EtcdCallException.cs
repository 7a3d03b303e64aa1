namespace ZLayer.Control.Store.Etcd;

/// <summary>etcd refused a call: the gRPC status code it gave and its message.</summary>
internal sealed class EtcdCallException(string path, int httpStatus, int code, string message)
    : Exception($"etcd refused {path} (HTTP {httpStatus}, code {code}): {message}")
{
    /// <summary>gRPC status code: 5 not found, 9 failed precondition, 11 out of range (compacted), 16 unauthenticated.</summary>
    public int Code { get; } = code;

    public string EtcdMessage { get; } = message;

    public bool IsLeaseNotFound => EtcdMessage.Contains("lease not found", StringComparison.Ordinal);
}
