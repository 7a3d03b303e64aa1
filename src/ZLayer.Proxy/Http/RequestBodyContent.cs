using System.Net;

namespace ZLayer.Proxy.Http;

/// <summary>
/// The client's request body as the backend request's content: read and sent chunk by chunk as
/// the backend takes it, so a large upload never sits in memory.
/// </summary>
internal sealed class RequestBodyContent(Stream body, TimeSpan idleTimeout, CancellationToken aborted) : HttpContent
{
    public long BytesSent { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, cancellationToken);
        BytesSent = await BodyPump.CopyAsync(body, stream, idleTimeout, linked.Token);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
