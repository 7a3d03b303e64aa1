namespace ZLayer.Proxy.Http1;

/// <summary>How a backend response's body ends.</summary>
internal enum BodyKind
{
    None,
    Length,
    Chunked,

    /// <summary>At the end of the connection (no length, not chunked): the client connection closes after it.</summary>
    UntilClose,
}

/// <summary>What the relay needs to know about a backend response head once it is passed to the client.</summary>
internal readonly record struct ResponseFraming(int Status, BodyKind Body, long Length, bool BackendCloses)
{
    public bool Informational => Status < 200;
}
