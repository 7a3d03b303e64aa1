using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ZLayer.Networking.Dns;

namespace ZLayer.Networking.Tests.Dns;

/// <summary>
/// A tiny resolver standing in for the host's upstream on a loopback address, over UDP and TCP:
/// answers every A question with the addresses <see cref="AddressesFor"/> gives, can answer every
/// UDP query with TC and no records, and can hold UDP queries until several have arrived to answer them in reverse order.
/// </summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private readonly List<(byte[] Reply, EndPoint Client)> _held = [];

    public TestUpstream(Func<string, IReadOnlyList<IPAddress>> addressesFor)
    {
        AddressesFor = addressesFor;
        var address = Loopback.Unique();
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(new IPEndPoint(address, 0));
        Endpoint = (IPEndPoint)_udp.LocalEndPoint!;
        _tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _tcp.Bind(Endpoint);
        _tcp.Listen();
        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(ServeTcpAsync);
    }

    public IPEndPoint Endpoint { get; }

    public Func<string, IReadOnlyList<IPAddress>> AddressesFor { get; }

    public bool TruncateUdp { get; init; }

    /// <summary>When above 1, UDP answers wait until this many queries are held, then go out last first.</summary>
    public int HoldUdpQueries { get; init; }

    /// <summary>Every query received: transport, the ID it carried, and its name as asked.</summary>
    public ConcurrentQueue<(string Transport, ushort Id, string Name)> Received { get; } = new();

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var reply = Answer(buffer.AsSpan(0, received.ReceivedBytes), "udp", TruncateUdp ? 0 : 65535);
            if (HoldUdpQueries > 1)
            {
                _held.Add((reply, received.RemoteEndPoint));
                if (_held.Count < HoldUdpQueries)
                {
                    continue;
                }

                foreach (var (heldReply, client) in Enumerable.Reverse(_held))
                {
                    await _udp.SendToAsync(heldReply, SocketFlags.None, client);
                }

                _held.Clear();
                continue;
            }

            await _udp.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint);
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            using (connection)
            {
                var buffer = new byte[65535];
                var length = await DnsTcpFraming.ReadAsync(connection, buffer, _stop.Token);
                if (length > 0)
                {
                    await DnsTcpFraming.WriteAsync(connection, Answer(buffer.AsSpan(0, length), "tcp", 65535), _stop.Token);
                }
            }
        }
    }

    private byte[] Answer(ReadOnlySpan<byte> query, string transport, int limit)
    {
        var request = DnsRequestReader.Read(query) ?? throw new InvalidOperationException("the server forwarded an unreadable query");
        var name = request.Question!.Name;
        Received.Enqueue((transport, request.Id, name.ToString()));
        var answers = AddressesFor(name.ToString().TrimEnd('.').ToLowerInvariant()).Select(a => (DnsRecord)new DnsAddressRecord(name, 60, a)).ToList();
        var answer = new DnsAnswer(answers.Count == 0 ? DnsResponseCode.NXDomain : DnsResponseCode.NoError, false, answers, [], []);
        var buffer = new byte[65535];

        // A limit of 0 stands for "room for the question alone": every answer comes back truncated.
        var room = limit > 0 ? limit : 12 + name.WireLength + 4 + (request.HasEdns ? 11 : 0);
        var length = DnsResponseWriter.Write(request, answer, recursionAvailable: true, buffer, room, out _);
        return buffer[..length];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop);
        _stop.Dispose();
    }
}
