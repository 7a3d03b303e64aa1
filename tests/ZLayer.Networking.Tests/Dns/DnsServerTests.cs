using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using ZLayer.Networking.Dns;
using ZLayer.Networking.Tests.Support;

namespace ZLayer.Networking.Tests.Dns;

/// <summary>The server on a loopback address, asked by the real dig and by raw sockets.</summary>
public sealed class DnsServerTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly ConcurrentQueue<string> _log = new();
    private DnsServer _server = null!;

    public Task InitializeAsync()
    {
        _server = Start(new ServiceDirectory([DnsZoneTests.Web(), DnsZoneTests.Db()]), upstreams: []);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var resource in Enumerable.Reverse(_cleanup))
        {
            await resource.DisposeAsync();
        }
    }

    private DnsServer Start(ServiceDirectory directory, IReadOnlyList<IPEndPoint> upstreams, TimeSpan? idle = null)
    {
        var server = DnsServer.Start(
            new DnsServerOptions(new IPEndPoint(Loopback.Unique(), 0))
            {
                Upstreams = upstreams,
                UpstreamTimeout = TimeSpan.FromSeconds(3),
                TcpIdleTimeout = idle ?? TimeSpan.FromSeconds(10),
                Log = _log.Enqueue,
            },
            directory);
        _cleanup.Add(server);
        return server;
    }

    private TestUpstream StartUpstream(Func<string, IReadOnlyList<IPAddress>> addressesFor, bool truncateUdp = false, int hold = 0)
    {
        var upstream = new TestUpstream(addressesFor) { TruncateUdp = truncateUdp, HoldUdpQueries = hold };
        _cleanup.Add(upstream);
        return upstream;
    }

    private static DnsServiceEntry Many(int replicas) => new("demo", "many",
        [.. Enumerable.Range(1, replicas).Select(i => new DnsReplica(i, null, new IPAddress([10, 1, (byte)(i / 250), (byte)(i % 250 + 1)]), null))], []);

    [Fact]
    public async Task Dig_gets_the_a_records_of_every_healthy_replica_with_ttl_5_and_aa()
    {
        var result = await Dig.RunAsync(_server.Endpoint, "web.service.local", "A");

        Assert.Equal("NOERROR", result.Status);
        Assert.Contains("aa", result.Flags);
        var answers = result.Section("ANSWER");
        Assert.Equal(3, answers.Count);
        Assert.All(answers, line => Assert.Matches(@"^web\.service\.local\.\s+5\s+IN\s+A\s+10\.0\.0\.[123]$", line));
    }

    [Fact]
    public async Task Dig_gets_aaaa_and_srv_with_targets_that_resolve()
    {
        Assert.Equal(["fd00::1"], await Dig.ShortAsync(_server.Endpoint, "web", "AAAA"));

        var srv = await Dig.ShortAsync(_server.Endpoint, "_http._tcp.web.service.local", "SRV");
        Assert.Equal(["0 1 8080 1.web.demo.service.local.", "0 1 8080 2.web.demo.service.local.", "0 1 8080 3.web.demo.service.local."], srv.Order());
        Assert.Equal(["10.0.0.2"], await Dig.ShortAsync(_server.Endpoint, "2.web.demo.service.local"));
        Assert.Equal(["10.0.1.1"], await Dig.ShortAsync(_server.Endpoint, "leader.db.service.local"));
    }

    [Fact]
    public async Task The_order_of_answers_changes_from_query_to_query()
    {
        var orders = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            orders.Add(string.Join(',', await Dig.ShortAsync(_server.Endpoint, "web.service")));
        }

        Assert.Equal(3, orders.Count);
    }

    [Fact]
    public async Task A_missing_name_is_nxdomain_and_a_missing_type_is_nodata_both_with_the_soa()
    {
        var missing = await Dig.RunAsync(_server.Endpoint, "nosuch.service.local", "A");
        var nodata = await Dig.RunAsync(_server.Endpoint, "db.service.local", "AAAA");

        Assert.Equal("NXDOMAIN", missing.Status);
        Assert.Equal("NOERROR", nodata.Status);
        foreach (var result in new[] { missing, nodata })
        {
            Assert.Contains("aa", result.Flags);
            Assert.Equal(0, result.AnswerCount);
            Assert.Matches(@"^service\.local\.\s+5\s+IN\s+SOA\s+ns\.service\.local\. hostmaster\.service\.local\. \d+ 3600 600 86400 5$", Assert.Single(result.Section("AUTHORITY")));
        }
    }

    [Fact]
    public async Task The_question_is_echoed_as_asked()
    {
        var result = await Dig.RunAsync(_server.Endpoint, "WeB.SeRvIcE.lOcAl", "A");

        Assert.Contains(";WeB.SeRvIcE.lOcAl.\t\tIN\tA", result.Output);
        Assert.Equal(3, result.AnswerCount);
    }

    [Fact]
    public async Task A_server_on_an_ipv6_address_answers_over_udp_and_tcp()
    {
        var server = DnsServer.Start(new DnsServerOptions(new IPEndPoint(IPAddress.IPv6Loopback, 0)) { Upstreams = [] }, new ServiceDirectory([DnsZoneTests.Web()]));
        _cleanup.Add(server);

        Assert.Equal(["fd00::1"], await Dig.ShortAsync(server.Endpoint, "web.service.local", "AAAA"));
        Assert.Equal(3, (await Dig.RunAsync(server.Endpoint, "+tcp", "web.service.local", "A")).AnswerCount);
    }

    [Fact]
    public async Task Dig_over_tcp_gets_the_same_answer()
    {
        var result = await Dig.RunAsync(_server.Endpoint, "+tcp", "web", "A");

        Assert.Equal(3, result.AnswerCount);
        Assert.Contains("(TCP)", result.Output);
    }

    [Fact]
    public async Task One_tcp_connection_carries_several_queries_and_is_closed_when_idle()
    {
        var server = Start(new ServiceDirectory([DnsZoneTests.Web()]), [], idle: TimeSpan.FromMilliseconds(300));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Endpoint);
        var buffer = new byte[65535];

        foreach (var (id, name) in new[] { ((ushort)1, "web"), ((ushort)2, "2.web.service.local"), ((ushort)3, "nosuch.service.local") })
        {
            await DnsTcpFraming.WriteAsync(socket, DnsMessages.Query(name, DnsRecordType.A, id), CancellationToken.None);
            var response = DnsResponse.Read(buffer.AsSpan(0, await DnsTcpFraming.ReadAsync(socket, buffer, CancellationToken.None)));
            Assert.Equal(id, response.Id);
            Assert.Equal(name + ".", response.Question!.Name.ToString());
        }

        // Idle past the timeout: the server ends the connection (a read sees the end of the stream).
        Assert.Equal(-1, await DnsTcpFraming.ReadAsync(socket, buffer, new CancellationTokenSource(Poll.DefaultTimeout).Token));
    }

    [Fact]
    public async Task Tcp_connections_beyond_the_limit_are_closed_until_one_frees_its_place()
    {
        var server = DnsServer.Start(new DnsServerOptions(new IPEndPoint(Loopback.Unique(), 0)) { Upstreams = [], MaxTcpConnections = 1 }, new ServiceDirectory([DnsZoneTests.Web()]));
        _cleanup.Add(server);
        var buffer = new byte[65535];
        async Task<int> AskAsync(Socket socket)
        {
            await DnsTcpFraming.WriteAsync(socket, DnsMessages.Query("web", DnsRecordType.A), CancellationToken.None);
            return await DnsTcpFraming.ReadAsync(socket, buffer, new CancellationTokenSource(Poll.DefaultTimeout).Token);
        }

        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await first.ConnectAsync(server.Endpoint);
        Assert.True(await AskAsync(first) > 0);

        using (var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await second.ConnectAsync(server.Endpoint);
            Assert.Equal(-1, await DnsTcpFraming.ReadAsync(second, buffer, new CancellationTokenSource(Poll.DefaultTimeout).Token));
        }

        first.Dispose();
        await Poll.UntilAsync(async () =>
        {
            using var next = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await next.ConnectAsync(server.Endpoint);
            try
            {
                return await AskAsync(next) > 0;
            }
            catch (SocketException)
            {
                return false;
            }
        }, "a connection to be served once the first one closed");
    }

    [Fact]
    public async Task An_answer_too_big_for_udp_is_truncated_and_dig_gets_it_all_over_tcp()
    {
        _server.Directory = new ServiceDirectory([Many(200)]);

        var udpOnly = await Dig.RunAsync(_server.Endpoint, "+ignore", "many.service.local");
        var retried = await Dig.RunAsync(_server.Endpoint, "many.service.local");

        Assert.Contains("tc", udpOnly.Flags);
        Assert.Equal(0, udpOnly.AnswerCount);
        Assert.Contains("Truncated, retrying in TCP mode", retried.Output);
        Assert.DoesNotContain("tc", retried.Flags);
        Assert.Equal(200, retried.AnswerCount);
    }

    [Fact]
    public async Task A_replaced_directory_is_served_at_once()
    {
        _server.Directory = new ServiceDirectory([DnsZoneTests.Web(replicas: 1), new DnsServiceEntry("demo", "fresh", [new DnsReplica(1, null, IPAddress.Parse("10.9.9.9"), null)], [])]);

        Assert.Equal(["10.9.9.9"], await Dig.ShortAsync(_server.Endpoint, "fresh.service.local"));
        Assert.Equal(["10.0.0.1"], await Dig.ShortAsync(_server.Endpoint, "web.service.local"));
        Assert.Equal("NXDOMAIN", (await Dig.RunAsync(_server.Endpoint, "db.service.local")).Status);
    }

    [Fact]
    public async Task Other_names_are_forwarded_to_the_upstream_with_the_question_kept_and_ra_from_it()
    {
        var upstream = StartUpstream(name => name == "www.example.test" ? [IPAddress.Parse("192.0.2.80")] : []);
        var server = Start(new ServiceDirectory([DnsZoneTests.Web()]), [upstream.Endpoint]);

        var forwarded = await Dig.RunAsync(server.Endpoint, "WWW.Example.TEST", "A");
        var ours = await Dig.RunAsync(server.Endpoint, "web", "A");
        var missing = await Dig.RunAsync(server.Endpoint, "nosuch.example.test", "A");

        Assert.Equal("NOERROR", forwarded.Status);
        Assert.Matches(@"^WWW\.Example\.TEST\.\s+60\s+IN\s+A\s+192\.0\.2\.80$", Assert.Single(forwarded.Section("ANSWER")));
        Assert.DoesNotContain("aa", forwarded.Flags);
        Assert.Contains("ra", forwarded.Flags);
        Assert.Contains("ra", ours.Flags);
        Assert.Contains("aa", ours.Flags);
        Assert.Equal("NXDOMAIN", missing.Status);
        Assert.Equal(["WWW.Example.TEST.", "nosuch.example.test."], upstream.Received.Select(r => r.Name));
    }

    [Fact]
    public async Task Concurrent_clients_with_the_same_id_each_get_the_answer_to_their_own_question()
    {
        const int clients = 20;
        var upstream = StartUpstream(name => [new IPAddress([192, 0, 2, (byte)(int.Parse(name.Split('.')[0][1..]) + 1)])], hold: clients);
        var server = Start(new ServiceDirectory([]), [upstream.Endpoint]);

        var answers = await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            await client.SendAsync(DnsMessages.Query($"n{i}.example.test", DnsRecordType.A, id: 7), server.Endpoint);
            using var deadline = new CancellationTokenSource(Poll.DefaultTimeout);
            var response = DnsResponse.Read((await client.ReceiveAsync(deadline.Token)).Buffer);
            return (i, response);
        }));

        Assert.All(answers, a =>
        {
            Assert.Equal(7, a.response.Id);
            Assert.Equal($"n{a.i}.example.test.", a.response.Question!.Name.ToString());
            Assert.Equal(new IPAddress([192, 0, 2, (byte)(a.i + 1)]), Assert.IsType<DnsAddressRecord>(Assert.Single(a.response.Answers)).Address);
        });
        Assert.Equal(clients, upstream.Received.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_truncated_upstream_answer_is_fetched_again_over_tcp()
    {
        var upstream = StartUpstream(_ => [.. Enumerable.Range(1, 3).Select(i => new IPAddress([192, 0, 2, (byte)i]))], truncateUdp: true);
        var server = Start(new ServiceDirectory([]), [upstream.Endpoint]);

        // The upstream answers every UDP query with TC and no records.
        var result = await Dig.RunAsync(server.Endpoint, "three.example.test");

        Assert.Equal(3, result.AnswerCount);
        Assert.Equal(["udp", "tcp"], upstream.Received.Select(r => r.Transport));
    }

    [Fact]
    public async Task A_forwarded_answer_too_big_for_the_client_is_truncated_and_complete_over_tcp()
    {
        var upstream = StartUpstream(_ => [.. Enumerable.Range(1, 150).Select(i => new IPAddress([192, 0, 2, (byte)i]))], truncateUdp: true);
        var server = Start(new ServiceDirectory([]), [upstream.Endpoint]);

        var udpOnly = await Dig.RunAsync(server.Endpoint, "+ignore", "big.example.test");
        var retried = await Dig.RunAsync(server.Endpoint, "big.example.test");

        Assert.Contains("tc", udpOnly.Flags);
        Assert.Equal(0, udpOnly.AnswerCount);
        Assert.Equal(150, retried.AnswerCount);
        Assert.Contains(upstream.Received, r => r.Transport == "tcp");
    }

    [Fact]
    public async Task Without_upstreams_other_names_are_refused_without_ra()
    {
        var result = await Dig.RunAsync(_server.Endpoint, "example.com", "A");

        Assert.Equal("REFUSED", result.Status);
        Assert.DoesNotContain("ra", result.Flags);
    }

    [Fact]
    public async Task An_upstream_that_does_not_answer_gives_servfail()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(Loopback.Unique(), 0));
        var server = DnsServer.Start(new DnsServerOptions(new IPEndPoint(Loopback.Unique(), 0))
        {
            Upstreams = [(IPEndPoint)silent.LocalEndPoint!],
            UpstreamTimeout = TimeSpan.FromMilliseconds(200),
        }, ServiceDirectory.Empty);
        _cleanup.Add(server);

        Assert.Equal("SERVFAIL", (await Dig.RunAsync(server.Endpoint, "example.com")).Status);
    }

    [Fact]
    public async Task Malformed_packets_get_formerr_or_nothing_and_the_server_keeps_answering()
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] question = [0, 0, 1, 0, 1];
        var twoQuestions = DnsMessages.Raw(0x1111, 0, 2, 0, 0, 0, [.. question, .. question]);
        var pointerLoop = DnsMessages.Raw(0x2222, 0, 1, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1);
        byte[] garbage = [0xde, 0xad, 0xbe];

        foreach (var (packet, id) in new[] { (twoQuestions, (ushort)0x1111), (pointerLoop, (ushort)0x2222) })
        {
            await client.SendAsync(packet, _server.Endpoint);
            var reply = DnsResponse.Read((await client.ReceiveAsync(new CancellationTokenSource(Poll.DefaultTimeout).Token)).Buffer);
            Assert.Equal(id, reply.Id);
            Assert.Equal(DnsResponseCode.FormErr, reply.Code);
        }

        // Garbage gets no reply: the next datagram to arrive answers the valid query sent after it.
        await client.SendAsync(garbage, _server.Endpoint);
        await client.SendAsync(DnsMessages.Query("web", DnsRecordType.A, id: 0x3333), _server.Endpoint);
        var next = DnsResponse.Read((await client.ReceiveAsync(new CancellationTokenSource(Poll.DefaultTimeout).Token)).Buffer);
        Assert.Equal(0x3333, next.Id);
        Assert.Equal(3, next.Answers.Count);

        Assert.Equal(3, (await Dig.RunAsync(_server.Endpoint, "web")).AnswerCount);
        Assert.Contains(_log, l => l.Contains("exactly one question", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Queries_are_counted_by_type_rcode_and_transport_with_their_latency()
    {
        var counted = new ConcurrentQueue<(string Instrument, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, _server.Metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, _, tags, _) => counted.Enqueue((i.Name, string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => counted.Enqueue((i.Name, string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();

        await Dig.RunAsync(_server.Endpoint, "web", "A");
        await Dig.RunAsync(_server.Endpoint, "+tcp", "nosuch.service.local", "AAAA");

        await Poll.UntilAsync(() => Task.FromResult(counted.Count(c => c.Instrument == "zlayer.dns.duration") >= 2), "two latency measurements");
        Assert.Contains(("zlayer.dns.queries", "type=A,rcode=NOERROR,transport=udp"), counted);
        Assert.Contains(("zlayer.dns.queries", "type=AAAA,rcode=NXDOMAIN,transport=tcp"), counted);
    }

    [Fact]
    public async Task Forwards_are_counted_by_outcome()
    {
        var upstream = StartUpstream(_ => [IPAddress.Parse("192.0.2.1")], truncateUdp: false);
        var server = Start(ServiceDirectory.Empty, [upstream.Endpoint]);
        var outcomes = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, server.Metrics.Meter) && instrument.Name == "zlayer.dns.forwarded")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => outcomes.Enqueue(tags.ToArray().Single(t => t.Key == "outcome").Value!.ToString()!));
        listener.Start();

        await Dig.RunAsync(server.Endpoint, "a.example.test");

        Assert.Equal(["udp"], outcomes);
    }

    [Fact]
    public async Task Disposing_stops_serving_and_frees_the_port()
    {
        var server = DnsServer.Start(new DnsServerOptions(new IPEndPoint(Loopback.Unique(), 0)) { Upstreams = [] }, ServiceDirectory.Empty);
        var endpoint = server.Endpoint;
        using var idle = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await idle.ConnectAsync(endpoint);
        var buffer = new byte[65535];
        await DnsTcpFraming.WriteAsync(idle, DnsMessages.Query("web", DnsRecordType.A), CancellationToken.None);
        Assert.True(await DnsTcpFraming.ReadAsync(idle, buffer, CancellationToken.None) > 0);

        await server.DisposeAsync();

        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(endpoint);
        // The connection the server was serving is closed cleanly, not reset.
        Assert.Equal(-1, await DnsTcpFraming.ReadAsync(idle, buffer, CancellationToken.None));
    }

    [Fact]
    public void Upstreams_from_resolv_conf_skip_loopback_stubs_and_comments()
    {
        var upstreams = UpstreamResolvers.Parse([
            "# generated", "nameserver 127.0.0.53", "nameserver ::1", "search example.test", "nameserver 10.255.255.53",
            "nameserver\t2001:db8::53", "; nameserver 192.0.2.9", "nameserver 10.255.255.53", "options edns0 trust-ad"]);

        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.255.255.53"), 53), new IPEndPoint(IPAddress.Parse("2001:db8::53"), 53)], upstreams);
    }

    [Fact]
    public async Task The_query_id_seen_upstream_is_not_the_clients()
    {
        var upstream = StartUpstream(_ => [IPAddress.Parse("192.0.2.1")]);
        var server = Start(ServiceDirectory.Empty, [upstream.Endpoint]);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        var ids = new List<ushort>();
        for (var i = 0; i < 4; i++)
        {
            await client.SendAsync(DnsMessages.Query("id.example.test", DnsRecordType.A, id: 0x4242), server.Endpoint);
            var reply = DnsResponse.Read((await client.ReceiveAsync(new CancellationTokenSource(Poll.DefaultTimeout).Token)).Buffer);
            Assert.Equal(0x4242, reply.Id);
            Assert.Single(reply.Answers);
        }

        // Fresh random IDs: four of them all equal to the client's is a 2^-64 chance.
        Assert.Contains(upstream.Received, r => r.Id != 0x4242);
    }
}
