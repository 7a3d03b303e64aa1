using ZLayer.Images.Content;

namespace ZLayer.Images.Layers;

/// <summary>
/// Replays bytes already read from a non-seekable stream ahead of the rest of it, so the
/// compression can be sniffed from a network or blob stream without buffering the whole blob.
/// </summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    /// <summary>Reads up to <paramref name="count"/> bytes from the start of <paramref name="inner"/>, fewer only at its end.</summary>
    public static async Task<PrefixedStream> PeekAsync(Stream inner, int count, CancellationToken cancellationToken)
    {
        var head = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var n = await inner.ReadAsync(head.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return new PrefixedStream(head.AsMemory(0, filled), inner);
    }

    public ReadOnlySpan<byte> Head => _prefix.Span;

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.IsEmpty)
        {
            return inner.Read(buffer);
        }

        var n = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty)
        {
            return inner.ReadAsync(buffer, cancellationToken);
        }

        return ValueTask.FromResult(Read(buffer.Span));
    }
}
