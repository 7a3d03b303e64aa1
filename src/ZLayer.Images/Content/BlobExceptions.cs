namespace ZLayer.Images.Content;

/// <summary>A blob the store does not hold.</summary>
public sealed class BlobNotFoundException(Digest digest) : Exception($"blob {digest} is not in the store")
{
    public Digest Digest { get; } = digest;
}

/// <summary>Content that is not what its digest or descriptor says; none of it was kept.</summary>
public sealed class BlobVerificationException(Digest digest, string cause) : Exception($"blob {digest}: {cause}; nothing was stored")
{
    public Digest Digest { get; } = digest;
}
