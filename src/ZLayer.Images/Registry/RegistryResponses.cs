using ZLayer.Images.Content;

namespace ZLayer.Images.Registry;

/// <summary>A manifest or index as the registry sent it, with the digest its bytes hash to.</summary>
public sealed record FetchedManifest(byte[] Content, string? MediaType, Digest Digest, Uri Source);

/// <summary>
/// A blob's body, starting at <see cref="Offset"/>: the requested offset when the registry honoured
/// the Range request, 0 when it sent the whole blob instead.
/// </summary>
public sealed class BlobResponse(HttpResponseMessage response, Stream content, long offset, long? length) : IAsyncDisposable
{
    public Stream Content { get; } = content;

    public long Offset { get; } = offset;

    /// <summary>Bytes in <see cref="Content"/>, when the registry said.</summary>
    public long? Length { get; } = length;

    public ValueTask DisposeAsync()
    {
        Content.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
