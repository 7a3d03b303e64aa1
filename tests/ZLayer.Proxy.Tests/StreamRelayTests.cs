using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ZLayer.Proxy.Routing;
using ZLayer.Proxy.Tests.Support;
using ZLayer.Spec.Model;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

public class StreamRelayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Tcp_half_close_lets_the_backend_answer_after_the_client_finished_sending()
    {
        using var backend = Listen();
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("tcp", Endpoint(port, EndpointProtocol.Tcp), Address(backend)));

        // The backend reads to end of stream, then answers with what it got: only possible if
        // the proxy passed the client's FIN on while keeping the way back open.
        var served = Task.Run(async () =>
        {
            using var accepted = await backend.AcceptAsync();
            var all = await ReadToEndAsync(accepted);
            await accepted.SendAsync(Encoding.ASCII.GetBytes($"got {all.Length}: {Encoding.ASCII.GetString(all)}"), SocketFlags.None);
            accepted.Shutdown(SocketShutdown.Send);
        });

        using var client = await ConnectAsync(port);
        await client.SendAsync("hello world"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var reply = Encoding.ASCII.GetString(await ReadToEndAsync(client));
        await served.WaitAsync(Patience);

        Assert.Equal("got 11: hello world", reply);
    }

    [Fact]
    public async Task Proxy_protocol_v1_header_arrives_before_the_client_bytes()
    {
        var received = await ReceivedByBackendAsync(ProxyProtocolVersion.V1, "data");
        var (clientPort, proxyPort) = received.Ports;

        Assert.Equal($"PROXY TCP4 127.0.0.1 127.0.0.1 {clientPort} {proxyPort}\r\ndata", Encoding.ASCII.GetString(received.Bytes));
    }

    [Fact]
    public async Task Proxy_protocol_v2_header_arrives_before_the_client_bytes()
    {
        var received = await ReceivedByBackendAsync(ProxyProtocolVersion.V2, "data");
        var (clientPort, proxyPort) = received.Ports;
        var bytes = received.Bytes;

        Assert.Equal(new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C }, bytes[..16]);
        Assert.Equal(new byte[] { 127, 0, 0, 1, 127, 0, 0, 1 }, bytes[16..24]);
        Assert.Equal(clientPort, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(24)));
        Assert.Equal(proxyPort, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(26)));
        Assert.Equal("data", Encoding.ASCII.GetString(bytes[28..]));
    }

    [Fact]
    public async Task Udp_sessions_echo_back_to_each_client()
    {
        using var backend = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        backend.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var echo = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            while (!stop.IsCancellationRequested)
            {
                var got = await backend.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                var reply = Encoding.ASCII.GetBytes("echo " + Encoding.ASCII.GetString(buffer, 0, got.ReceivedBytes));
                await backend.SendToAsync(reply, SocketFlags.None, got.RemoteEndPoint, stop.Token);
            }
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.FreeUdp();
        var endpoint = Endpoint(port, EndpointProtocol.Udp);
        await proxy.ApplyAsync(Input("udp", endpoint, new BackendAddress("127.0.0.1", ((IPEndPoint)backend.LocalEndPoint!).Port, "r1")));

        var replies = new List<string>();
        foreach (var message in new[] { "one", "two" })
        {
            using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            client.Connect(IPAddress.Loopback, port);
            await client.SendAsync(Encoding.ASCII.GetBytes(message));
            var answer = await client.ReceiveAsync().WaitAsync(Patience);
            replies.Add(Encoding.ASCII.GetString(answer.Buffer));
        }

        await stop.CancelAsync();
        await echo.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(["echo one", "echo two"], replies);
    }

    [Fact]
    public async Task An_internal_tcp_endpoint_refuses_connections_on_other_addresses()
    {
        using var backend = Listen();
        await using var proxy = ProxyHarness.Create(ProxyHarness.Options(internalAddresses: [IPAddress.Parse("127.0.0.2")]));
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("tcp", Endpoint(port, EndpointProtocol.Tcp, expose: ExposeMode.Internal), Address(backend)));

        using var outside = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => outside.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)));
        using var inside = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await inside.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.True(inside.Connected);
    }

    [Fact]
    public async Task A_tcp_client_is_reset_when_no_backend_can_be_reached()
    {
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("tcp", Endpoint(port, EndpointProtocol.Tcp), new BackendAddress("127.0.0.1", Ports.Free(), "gone")));

        // The reset can beat the client's own connect completion on loopback, so either call may see it.
        var reset = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var client = await ConnectAsync(port);
            await client.ReceiveAsync(new byte[16], SocketFlags.None);
        });

        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
    }

    private static async Task<((int ClientPort, int ProxyPort) Ports, byte[] Bytes)> ReceivedByBackendAsync(ProxyProtocolVersion version, string payload)
    {
        using var backend = Listen();
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        var endpoint = Endpoint(port, EndpointProtocol.Tcp);
        endpoint.Stream = new StreamSpec { ProxyProtocol = true, ProxyProtocolVersion = version };
        await proxy.ApplyAsync(Input("tcp", endpoint, Address(backend)));

        var received = Task.Run(async () =>
        {
            using var accepted = await backend.AcceptAsync();
            return await ReadToEndAsync(accepted);
        });
        using var client = await ConnectAsync(port);
        await client.SendAsync(Encoding.ASCII.GetBytes(payload), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var bytes = await received.WaitAsync(Patience);
        return ((((IPEndPoint)client.LocalEndPoint!).Port, port), bytes);
    }

    private static Socket Listen()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(16);
        return socket;
    }

    private static BackendAddress Address(Socket listener) => new("127.0.0.1", ((IPEndPoint)listener.LocalEndPoint!).Port, "r1");

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(Patience);
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }
}
