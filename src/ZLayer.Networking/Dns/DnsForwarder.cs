using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ZLayer.Networking.Dns;

/// <summary>
/// Forwards queries for names that are not ours to upstream resolvers, in order, each given
/// <see cref="Timeout"/>: over UDP, again over TCP when the UDP answer is truncated. Each forwarded
/// query goes out under a fresh random ID from its own socket, and only an answer with that ID and
/// the same question is taken, so concurrent clients (who may well pick equal IDs) can never get
/// each other's answers, and a forged datagram has to guess both port and ID.
/// </summary>
public sealed class DnsForwarder(IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout, DnsMetrics metrics)
{
    private readonly ConcurrentDictionary<ushort, byte> _idsInFlight = new();

    public IReadOnlyList<IPEndPoint> Upstreams { get; } = upstreams;

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>The upstream's answer to <paramref name="query"/> carrying the client's own ID, or null when no upstream answered.</summary>
    public async Task<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, DnsQuestion question, CancellationToken ct)
    {
        var clientId = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
        var id = ReserveId();
        try
        {
            var outgoing = query.ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(outgoing, id);
            foreach (var upstream in Upstreams)
            {
                var answer = await AskAsync(upstream, outgoing, id, question, ct).ConfigureAwait(false);
                if (answer is not null)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(answer, clientId);
                    return answer;
                }
            }

            return null;
        }
        finally
        {
            _idsInFlight.TryRemove(id, out _);
        }
    }

    private async Task<byte[]?> AskAsync(IPEndPoint upstream, byte[] query, ushort id, DnsQuestion question, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeout);
        try
        {
            var answer = await AskUdpAsync(upstream, query, id, question, deadline.Token).ConfigureAwait(false);
            if ((BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(2)) & DnsFlags.Truncated) == 0)
            {
                metrics.RecordForward(upstream, "udp");
                return answer;
            }

            answer = await AskTcpAsync(upstream, query, id, question, deadline.Token).ConfigureAwait(false);
            metrics.RecordForward(upstream, "tcp");
            return answer;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            metrics.RecordForward(upstream, "timeout");
            return null;
        }
        catch (Exception e) when (e is SocketException or DnsFormatException)
        {
            metrics.RecordForward(upstream, "failed");
            return null;
        }
    }

    private static async Task<byte[]> AskUdpAsync(IPEndPoint upstream, byte[] query, ushort id, DnsQuestion question, CancellationToken ct)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(upstream, ct).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, ct).ConfigureAwait(false);
        var buffer = new byte[DnsTcpFraming.MaxMessage];
        while (true)
        {
            var length = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);

            // Anything else arriving on this port (a stale or forged datagram) is ignored, not taken.
            if (Answers(buffer.AsSpan(0, length), id, question))
            {
                return buffer[..length];
            }
        }
    }

    private static async Task<byte[]> AskTcpAsync(IPEndPoint upstream, byte[] query, ushort id, DnsQuestion question, CancellationToken ct)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(upstream, ct).ConfigureAwait(false);
        await DnsTcpFraming.WriteAsync(socket, query, ct).ConfigureAwait(false);
        var buffer = new byte[DnsTcpFraming.MaxMessage];
        var length = await DnsTcpFraming.ReadAsync(socket, buffer, ct).ConfigureAwait(false);
        if (length < 0 || !Answers(buffer.AsSpan(0, length), id, question))
        {
            throw new DnsFormatException($"upstream {upstream} closed the TCP connection or answered another question");
        }

        return buffer[..length];
    }

    /// <summary>Whether <paramref name="message"/> is a response to the query with <paramref name="id"/> and <paramref name="question"/>.</summary>
    internal static bool Answers(ReadOnlySpan<byte> message, ushort id, DnsQuestion question)
    {
        try
        {
            var reader = new DnsWireReader(message);
            var isAnswer = reader.ReadUInt16() == id && (reader.ReadUInt16() & DnsFlags.Response) != 0 && reader.ReadUInt16() == 1;
            if (!isAnswer)
            {
                return false;
            }

            reader.ReadBytes(6);
            return reader.ReadName().Equals(question.Name) && reader.ReadUInt16() == (ushort)question.Type && reader.ReadUInt16() == question.Class;
        }
        catch (DnsFormatException)
        {
            return false;
        }
    }

    private ushort ReserveId()
    {
        while (true)
        {
            var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
            if (_idsInFlight.TryAdd(id, 0))
            {
                return id;
            }
        }
    }
}
