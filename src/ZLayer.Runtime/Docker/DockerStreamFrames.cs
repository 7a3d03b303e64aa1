using System.Buffers.Binary;

namespace ZLayer.Runtime.Docker;

/// <summary>One chunk of a container's output and which stream it came from.</summary>
internal readonly record struct OutputFrame(LogStream Stream, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Reads the engine's output streams. Without a TTY the engine multiplexes stdout and stderr into
/// frames: a byte naming the stream (1 stdout, 2 stderr), three zero bytes, a big-endian 32-bit
/// length, then that many bytes. With a TTY there is one raw stream, all of it stdout.
/// </summary>
internal static class DockerStreamFrames
{
    private const int HeaderSize = 8;
    private const int ChunkSize = 32 * 1024;

    public static async IAsyncEnumerable<OutputFrame> ReadAsync(Stream stream, bool tty, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (tty)
        {
            var buffer = new byte[ChunkSize];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                yield return new OutputFrame(LogStream.Stdout, buffer.AsMemory(0, read).ToArray());
            }

            yield break;
        }

        var header = new byte[HeaderSize];
        while (await FillAsync(stream, header, ct).ConfigureAwait(false))
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            var payload = new byte[length];
            if (!await FillAsync(stream, payload, ct).ConfigureAwait(false))
            {
                throw new RuntimeException("the Docker engine's output stream ended in the middle of a frame");
            }

            // Stream 0 is stdin echoed back (never asked for); anything but stderr is shown as stdout.
            yield return new OutputFrame(header[0] == 2 ? LogStream.Stderr : LogStream.Stdout, payload);
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false when the stream ends first.</summary>
    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
