using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Tests.Support;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

/// <summary>The clear-text HTTP/1.1 fast path: framing both ways, connection reuse, failures, and the hand-over to Kestrel.</summary>
public class FastPathTests
{
    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_over_one_backend_connection()
    {
        var connections = new HashSet<string>();
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            lock (connections)
            {
                connections.Add(context.Connection.Id);
            }

            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path} [{body}];");
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.1\r\nHost: x\r\n\r\n");
        var text = await raw.ReadUntilAsync(t => t.Contains("GET /c []", StringComparison.Ordinal) && t.EndsWith("0\r\n\r\n", StringComparison.Ordinal));

        var a = text.IndexOf("GET /a [];", StringComparison.Ordinal);
        var b = text.IndexOf("POST /b [hello];", StringComparison.Ordinal);
        var c = text.IndexOf("GET /c [];", StringComparison.Ordinal);
        Assert.True(a >= 0 && a < b && b < c, text);
        Assert.Single(connections);
    }

    [Fact]
    public async Task A_chunked_response_is_relayed_whole_and_the_connection_stays_usable()
    {
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            foreach (var part in new[] { "one,", "two,", "three" })
            {
                await context.Response.WriteAsync(part);
                await context.Response.Body.FlushAsync();
            }
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        for (var i = 0; i < 2; i++)
        {
            await raw.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            var response = await raw.ReadResponseAsync();

            Assert.Contains("Transfer-Encoding: chunked", response, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("one,two,three", Dechunk(response));
        }
    }

    [Fact]
    public async Task A_head_response_carries_no_body_and_the_next_request_follows()
    {
        await using var backend = ScriptedBackend.Start(head => head.StartsWith("HEAD", StringComparison.Ordinal)
            ? ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false)
            : ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false));
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var text = await raw.ReadUntilAsync(t => t.EndsWith("hello", StringComparison.Ordinal));

        Assert.Equal(2, text.Split("HTTP/1.1 200 OK").Length - 1);
        Assert.EndsWith("\r\n\r\nhello", text, StringComparison.Ordinal);
        Assert.Equal(1, backend.Connections);
    }

    [Fact]
    public async Task A_pooled_connection_the_backend_closed_is_replaced_without_failing_the_request()
    {
        // The backend closes after every answer without saying so, as one whose idle timeout fired would.
        await using var backend = ScriptedBackend.Start(_ => ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true));
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((HttpStatusCode.OK, "ok"), await proxy.GetAsync($"http://127.0.0.1:{port}/"));
        }

        Assert.Equal(3, backend.Connections);
    }

    [Fact]
    public async Task A_response_head_larger_than_the_receive_buffer_is_relayed_whole()
    {
        var cookie = new string('c', 40_000);
        await using var backend = ScriptedBackend.Start(_ => ($"HTTP/1.1 200 OK\r\nSet-Cookie: big={cookie}\r\nContent-Length: 2\r\n\r\nok", false));
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Contains($"Set-Cookie: big={cookie}\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nok", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_connections_to_a_backend_that_left_the_table_are_closed()
    {
        await using var leaving = ScriptedBackend.Start(_ => ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false));
        await using var staying = await TestBackend.StartAsync("staying");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), leaving.Address()));
        Assert.Equal((HttpStatusCode.OK, "ok"), await proxy.GetAsync($"http://127.0.0.1:{port}/"));
        Assert.Equal(0, leaving.ClosedByProxy);

        await proxy.ApplyAsync(Input("b", Endpoint(port), staying.Address()));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (leaving.ClosedByProxy == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, leaving.ClosedByProxy);
        Assert.Equal((HttpStatusCode.OK, "staying /"), await proxy.GetAsync($"http://127.0.0.1:{port}/"));
    }

    [Fact]
    public async Task An_interim_103_answer_is_passed_on_before_the_final_one()
    {
        await using var backend = ScriptedBackend.Start(_ =>
            ("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false));
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var text = await raw.ReadUntilAsync(t => t.EndsWith("\r\n\r\nok", StringComparison.Ordinal));

        Assert.StartsWith("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nok", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stripped_prefix_reaches_the_backend_without_the_prefix_and_with_the_query()
    {
        await using var backend = await TestBackend.StartAsync("api");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        var endpoint = Endpoint(port, path: "/api");
        endpoint.StripPrefix = true;
        await proxy.ApplyAsync(Input("api", endpoint, backend.Address()));

        Assert.Equal("api /users?x=1", (await proxy.GetAsync($"http://127.0.0.1:{port}/api/users?x=1")).Body);
        Assert.Equal("api /", (await proxy.GetAsync($"http://127.0.0.1:{port}/api")).Body);
        Assert.Equal(HttpStatusCode.NotFound, (await proxy.GetAsync($"http://127.0.0.1:{port}/apix")).Status);
    }

    [Fact]
    public async Task A_response_delimited_by_close_reaches_the_client_and_ends_its_connection()
    {
        await using var backend = ScriptedBackend.Start(_ => ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true));
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var text = await raw.ReadToCloseAsync();

        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\nuntil the end", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backend_framing_its_body_two_ways_is_502_and_one_dying_mid_body_cuts_the_client()
    {
        await using var backend = ScriptedBackend.Start(head => head.StartsWith("GET /two-ways", StringComparison.Ordinal)
            ? ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", false)
            : ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", true));
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        Assert.Equal(HttpStatusCode.BadGateway, (await proxy.GetAsync($"http://127.0.0.1:{port}/two-ways")).Status);

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET /cut HTTP/1.1\r\nHost: x\r\n\r\n");
        var text = await raw.ReadToCloseAsync();

        // The head may or may not arrive before the reset; a complete 100-byte body never does.
        Assert.DoesNotContain("HTTP/1.1 502", text, StringComparison.Ordinal);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd < 0 || text.Length - headEnd - 4 < 100, text);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")]
    public async Task Ambiguous_or_malformed_heads_are_refused_with_400_and_never_forwarded(string request)
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync(request);
        var response = await raw.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task A_request_the_fast_path_leaves_to_kestrel_is_served_on_the_same_connection()
    {
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync($"{context.Request.Path}[{body}]");
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("/one[]", Dechunk(await raw.ReadResponseAsync()));
        // A chunked upload is Kestrel's: the connection moves to it from this request on.
        await raw.SendAsync("POST /two HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        Assert.Equal("/two[hello]", Dechunk(await raw.ReadResponseAsync()));
        await raw.SendAsync("GET /three HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("/three[]", Dechunk(await raw.ReadResponseAsync()));
    }

    [Fact]
    public async Task A_client_asking_to_close_gets_its_answer_and_then_the_connection_closes()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        var text = await raw.ReadToCloseAsync();

        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("b /bye", Dechunk(text));
        Assert.Equal(0, await raw.Socket.ReceiveAsync(new byte[16], SocketFlags.None));
    }

    /// <summary>The body of a raw response, chunked or not.</summary>
    private static string Dechunk(string response)
    {
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        if (!response[..response.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        var text = new System.Text.StringBuilder();
        while (true)
        {
            var line = body.IndexOf("\r\n", StringComparison.Ordinal);
            var size = Convert.ToInt32(body[..line], 16);
            if (size == 0)
            {
                return text.ToString();
            }

            text.Append(body.AsSpan(line + 2, size));
            body = body[(line + 2 + size + 2)..];
        }
    }
}
