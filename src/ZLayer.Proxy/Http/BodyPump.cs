using System.Buffers;

namespace ZLayer.Proxy.Http;

/// <summary>
/// Copies a body between two streams through one pooled buffer, so memory per transfer is fixed
/// whatever the body size; the write's backpressure paces the reads. Gives up when either side is
/// silent for the idle timeout.
/// </summary>
internal static class BodyPump
{
    private const int BufferSize = 64 * 1024;

    public static async Task<long> CopyAsync(Stream source, Stream destination, TimeSpan idleTimeout, CancellationToken token)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
        return await CopyAsync(source, destination, idleTimeout, idle, token);
    }

    /// <summary>
    /// The same, re-arming a caller's linked source for each read and write instead of making
    /// one, so a request costs one timer however many steps it has.
    /// </summary>
    public static async Task<long> CopyAsync(Stream source, Stream destination, TimeSpan idleTimeout, CancellationTokenSource idle, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            while (true)
            {
                idle.CancelAfter(idleTimeout);
                var read = await source.ReadAsync(buffer, idle.Token);
                if (read == 0)
                {
                    return total;
                }

                idle.CancelAfter(idleTimeout);
                await destination.WriteAsync(buffer.AsMemory(0, read), idle.Token);
                total += read;
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"body idle for {idleTimeout.TotalSeconds:0.#}s");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
