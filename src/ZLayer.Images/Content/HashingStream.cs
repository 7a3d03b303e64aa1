using System.Security.Cryptography;

namespace ZLayer.Images.Content;

/// <summary>
/// A read-only stream that hashes every byte read through it, so content is verified in the same
/// pass that consumes it (a layer's diff ID while it is unpacked, a blob while it is stored).
/// </summary>
public sealed class HashingStream(Stream inner, IncrementalHash hash, bool leaveOpen = false) : ReadOnlyStream
{
    public long BytesRead { get; private set; }

    /// <summary>The digest of what was read so far; reading on afterwards is not possible.</summary>
    public Digest Finish(string algorithm) => Digest.FromHash(algorithm, hash.GetHashAndReset());

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        hash.AppendData(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
