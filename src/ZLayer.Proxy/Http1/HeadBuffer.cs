using System.Buffers;

namespace ZLayer.Proxy.Http1;

/// <summary>A growable byte buffer from the shared pool, reused for every head a connection writes.</summary>
internal sealed class HeadBuffer : IDisposable
{
    private byte[] array = ArrayPool<byte>.Shared.Rent(4096);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => array.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(array.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Append(ReadOnlySequence<byte> bytes)
    {
        Reserve((int)bytes.Length);
        bytes.CopyTo(array.AsSpan(Length));
        Length += (int)bytes.Length;
    }

    /// <summary>Room for at least <paramref name="size"/> more bytes; commit what was used with <see cref="Advance"/>.</summary>
    public Span<byte> Free(int size)
    {
        Reserve(size);
        return array.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(array);
        array = [];
    }

    private void Reserve(int size)
    {
        if (Length + size <= array.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, Length + size));
        array.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(array);
        array = bigger;
    }
}
