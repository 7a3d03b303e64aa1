using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ZLayer.Networking.Dns;

/// <summary>
/// The node's DNS server on one address and port, UDP and TCP. Service names are answered from
/// the <see cref="ServiceDirectory"/> (<see cref="Directory"/> swaps in a new snapshot); other
/// names are forwarded upstream. Nothing a client sends can stop it: malformed queries are
/// dropped or answered FORMERR, and failures of one query never leave its loop.
/// </summary>
public sealed class DnsServer : IAsyncDisposable
{
    private const string Udp = "udp";
    private const string Tcp = "tcp";

    private readonly DnsServerOptions _options;
    private readonly DnsZone _zone;
    private readonly DnsForwarder _forwarder;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly SemaphoreSlim _forwardSlots;
    private readonly SemaphoreSlim _tcpSlots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    private DnsServer(DnsServerOptions options, ServiceDirectory directory, Socket udp, Socket tcp)
    {
        _options = options;
        _zone = new DnsZone(directory);
        Metrics = new DnsMetrics();
        Endpoint = (IPEndPoint)udp.LocalEndPoint!;

        // A host whose resolv.conf names this very server would have every forward come back to us.
        var upstreams = (options.Upstreams ?? UpstreamResolvers.FromResolvConf()).Where(u => !u.Equals(Endpoint)).ToList();
        _forwarder = new DnsForwarder(upstreams, options.UpstreamTimeout, Metrics);
        _udp = udp;
        _tcp = tcp;
        _forwardSlots = new SemaphoreSlim(options.MaxConcurrentForwards);
        _tcpSlots = new SemaphoreSlim(options.MaxTcpConnections);
    }

    /// <summary>The address and port bound (UDP and TCP share the port; a requested port 0 is resolved here).</summary>
    public IPEndPoint Endpoint { get; }

    public DnsMetrics Metrics { get; }

    public IReadOnlyList<IPEndPoint> Upstreams => _forwarder.Upstreams;

    /// <summary>The snapshot answered from; setting it replaces it atomically for the next query.</summary>
    public ServiceDirectory Directory
    {
        get => _zone.Directory;
        set => _zone.Directory = value;
    }

    /// <summary>Binds UDP and TCP on <see cref="DnsServerOptions.Endpoint"/> and starts serving.</summary>
    public static DnsServer Start(DnsServerOptions options, ServiceDirectory directory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentForwards, 1, nameof(options.MaxConcurrentForwards));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTcpConnections, 1, nameof(options.MaxTcpConnections));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.UpstreamTimeout, TimeSpan.Zero, nameof(options.UpstreamTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TcpIdleTimeout, TimeSpan.Zero, nameof(options.TcpIdleTimeout));
        var (udp, tcp) = Bind(options.Endpoint);
        var server = new DnsServer(options, directory, udp, tcp);
        var udpLoops = Math.Clamp(Environment.ProcessorCount, 1, 4);
        for (var i = 0; i < udpLoops; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                server.ServeUdp();
                done.SetResult();
            })
            { IsBackground = true, Name = $"dns-udp-{i}" };
            thread.Start();
            server._loops.Add(done.Task);
        }

        server._loops.Add(Task.Run(server.AcceptTcpAsync));
        return server;
    }

    private static (Socket Udp, Socket Tcp) Bind(IPEndPoint endpoint)
    {
        // Port 0 asks for any free port: UDP picks one, TCP must then get the same, which another
        // program may hold; a few tries find a port free for both.
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(endpoint);

                // The UDP threads block in receive; the timeout lets them see a stop even where
                // closing the socket does not wake a blocked call.
                udp.ReceiveTimeout = 1000;
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(new IPEndPoint(endpoint.Address, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(128);
                return (udp, tcp);
            }
            catch (SocketException) when (endpoint.Port == 0 && attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// One of the UDP loops, each on a thread of its own: blocking receive and send without
    /// allocation answered our names about 1.5 times as fast (bench dns) as async socket calls
    /// with their hops through the thread pool. Only forwarded queries leave the loop, as tasks.
    /// </summary>
    private void ServeUdp()
    {
        var receive = new byte[DnsTcpFraming.MaxMessage];
        var reply = new byte[DnsTcpFraming.MaxMessage];
        var any = new IPEndPoint(Endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var from = new SocketAddress(Endpoint.AddressFamily);
        while (!_stopping.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _udp.ReceiveFrom(receive, SocketFlags.None, from);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (SocketException e)
            {
                Log($"udp receive: {e.Message}");
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            var client = (IPEndPoint)any.Create(from);
            try
            {
                var query = receive.AsMemory(0, received);
                if (TryAnswerHere(query.Span, client.Address, Udp, reply, out var length, out var request))
                {
                    if (length > 0)
                    {
                        _udp.SendTo(reply.AsSpan(0, length), SocketFlags.None, from);
                        RecordReply(Udp, request!, reply, started);
                    }
                }
                else if (_forwardSlots.Wait(0))
                {
                    _ = ForwardUdpAsync(query.ToArray(), request!, client, started);
                }
                else
                {
                    Metrics.RecordDropped("busy");
                }
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                Log($"udp query from {client}: {e.Message}");
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    private async Task ForwardUdpAsync(byte[] query, DnsRequest request, IPEndPoint client, long started)
    {
        try
        {
            var reply = new byte[DnsTcpFraming.MaxMessage];
            var length = await ForwardAsync(query, request, reply, request.UdpLimit(_options.MaxUdpPayload)).ConfigureAwait(false);
            _udp.SendTo(reply.AsSpan(0, length), SocketFlags.None, client);
            RecordReply(Udp, request, reply, started);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            Log($"udp query from {client}: {e.Message}");
        }
        catch (Exception)
        {
            // Stopping: the reply has nowhere to go.
        }
        finally
        {
            _forwardSlots.Release();
        }
    }

    private async Task AcceptTcpAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                Log($"tcp accept: {e.Message}");
                continue;
            }

            if (!_tcpSlots.Wait(0))
            {
                Metrics.RecordDropped("tcp-busy");
                connection.Dispose();
                continue;
            }

            _ = ServeConnectionAsync(connection);
        }
    }

    /// <summary>Answers the queries of one connection in order until the client closes it or stays idle.</summary>
    private async Task ServeConnectionAsync(Socket connection)
    {
        var client = (IPEndPoint)connection.RemoteEndPoint!;
        var receive = new byte[DnsTcpFraming.MaxMessage];
        var reply = new byte[DnsTcpFraming.MaxMessage];
        try
        {
            while (true)
            {
                int received;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
                {
                    idle.CancelAfter(_options.TcpIdleTimeout);
                    received = await DnsTcpFraming.ReadAsync(connection, receive, idle.Token).ConfigureAwait(false);
                }

                if (received < 0)
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                var query = receive.AsMemory(0, received);
                if (!TryAnswerHere(query.Span, client.Address, Tcp, reply, out var length, out var request))
                {
                    await _forwardSlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    try
                    {
                        length = await ForwardAsync(query.ToArray(), request!, reply, DnsTcpFraming.MaxMessage).ConfigureAwait(false);
                    }
                    finally
                    {
                        _forwardSlots.Release();
                    }
                }

                if (length == 0)
                {
                    // Nothing sensible to say to a stream that sent a response or a stub: end it.
                    return;
                }

                await DnsTcpFraming.WriteAsync(connection, reply.AsMemory(0, length), _stopping.Token).ConfigureAwait(false);
                RecordReply(Tcp, request!, reply, started);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or DnsFormatException or ObjectDisposedException)
        {
            // Idle, stopping, or the client went away or broke framing: the connection ends.
        }
        catch (Exception e)
        {
            Log($"tcp connection from {client}: {e.Message}");
        }
        finally
        {
            connection.Dispose();
            _tcpSlots.Release();
        }
    }

    /// <summary>
    /// Replies to what can be answered without an upstream: malformed queries, our names, and
    /// everything when there is no upstream. False means the query is to be forwarded. A length of
    /// 0 means no reply at all (the packet is dropped).
    /// </summary>
    private bool TryAnswerHere(ReadOnlySpan<byte> query, IPAddress client, string transport, byte[] reply, out int length, out DnsRequest? request)
    {
        length = 0;
        request = DnsRequestReader.Read(query);
        if (request is null)
        {
            Metrics.RecordDropped("malformed");
            return true;
        }

        var limit = transport == Udp ? request.UdpLimit(_options.MaxUdpPayload) : DnsTcpFraming.MaxMessage;
        var recursion = _forwarder.Upstreams.Count > 0;
        DnsAnswer answer;
        if (request.Error is { } error)
        {
            Log($"{transport} query from {client}: {request.ErrorDetail}");
            answer = DnsAnswer.Error(error);
        }
        else if (_zone.Answer(request.Question!, client) is { } ours)
        {
            answer = ours;
        }
        else if (!recursion)
        {
            answer = DnsAnswer.Error(DnsResponseCode.Refused);
        }
        else
        {
            return false;
        }

        length = DnsResponseWriter.Write(request, answer, recursion, reply, limit, out _);
        return true;
    }

    /// <summary>Forwards and writes the reply: the upstream's, cut to TC when over <paramref name="limit"/>, or SERVFAIL when none answered.</summary>
    private async Task<int> ForwardAsync(byte[] query, DnsRequest request, byte[] reply, int limit)
    {
        var answer = await _forwarder.ForwardAsync(query, request.Question!, _stopping.Token).ConfigureAwait(false);
        if (answer is null)
        {
            return DnsResponseWriter.Write(request, DnsAnswer.Error(DnsResponseCode.ServFail), true, reply, limit, out _);
        }

        if (answer.Length > limit)
        {
            return DnsResponseWriter.WriteTruncated(request, answer, reply, limit);
        }

        answer.CopyTo(reply, 0);
        return answer.Length;
    }

    private void RecordReply(string transport, DnsRequest request, byte[] reply, long started)
    {
        var code = (DnsResponseCode)(reply[3] & 0xF);
        if (request.Error == DnsResponseCode.BadVers)
        {
            code = DnsResponseCode.BadVers;
        }

        Metrics.RecordQuery(transport, request.Question?.Type, code, Stopwatch.GetElapsedTime(started));
    }

    private void Log(string message) => _options.Log?.Invoke($"dns {Endpoint}: {message}");

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_loops).ConfigureAwait(false);

        // Every forward and connection holds a slot until it has finished: taking them all back
        // means none is left running.
        for (var i = 0; i < _options.MaxConcurrentForwards; i++)
        {
            await _forwardSlots.WaitAsync().ConfigureAwait(false);
        }

        for (var i = 0; i < _options.MaxTcpConnections; i++)
        {
            await _tcpSlots.WaitAsync().ConfigureAwait(false);
        }

        _forwardSlots.Dispose();
        _tcpSlots.Dispose();
        _stopping.Dispose();
        Metrics.Dispose();
    }
}
