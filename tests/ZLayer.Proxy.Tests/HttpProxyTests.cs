using System.Net;
using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Balancing;
using ZLayer.Proxy.Tests.Support;
using ZLayer.Spec.Model;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

public class HttpProxyTests
{
    [Fact]
    public async Task Requests_reach_the_backend_of_the_matching_host_and_path()
    {
        await using var api = await TestBackend.StartAsync("api");
        await using var web = await TestBackend.StartAsync("web");
        await using var wild = await TestBackend.StartAsync("wild");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(
            Input("api", Endpoint(port, path: "/api"), api.Address()),
            Input("wild", Endpoint(port, host: "*.example.com"), wild.Address()),
            Input("web", Endpoint(port), web.Address()));

        var url = $"http://127.0.0.1:{port}";
        Assert.Equal("api /api/users?x=1", (await proxy.GetAsync($"{url}/api/users?x=1")).Body);
        Assert.Equal("web /apix", (await proxy.GetAsync($"{url}/apix")).Body);
        Assert.Equal("wild /apix", (await proxy.GetAsync($"{url}/apix", "shop.example.com")).Body);
    }

    [Fact]
    public async Task Hop_by_hop_headers_are_removed_and_forwarding_headers_added()
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            foreach (var (name, value) in context.Request.Headers)
            {
                seen[name] = value.ToString();
            }

            context.Response.Headers["X-Secret-Hop"] = "no";
            context.Response.Headers.Connection = "X-Secret-Hop";
            context.Response.Headers["Keep-Alive"] = "timeout=5";
            return context.Response.WriteAsync("ok");
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET /x HTTP/1.1\r\nHost: shop.test\r\nConnection: X-Drop\r\nX-Drop: 1\r\nKeep-Alive: timeout=9\r\n" +
            "Proxy-Authorization: Basic eA==\r\nTE: trailers\r\nX-Forwarded-For: 10.9.9.9\r\nX-Request-Id: req-42\r\nX-Keep: yes\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Secret-Hop", response, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Keep-Alive: timeout=5", response, StringComparison.OrdinalIgnoreCase);
        foreach (var dropped in new[] { "Connection", "X-Drop", "Keep-Alive", "Proxy-Authorization", "TE" })
        {
            Assert.False(seen.ContainsKey(dropped), dropped);
        }

        Assert.Equal("yes", seen["X-Keep"]);
        Assert.Equal("shop.test", seen["Host"]);
        Assert.Equal("10.9.9.9, 127.0.0.1", seen["X-Forwarded-For"]);
        Assert.Equal("http", seen["X-Forwarded-Proto"]);
        Assert.Equal("shop.test", seen["X-Forwarded-Host"]);
        Assert.Equal("for=127.0.0.1;proto=http;host=\"shop.test\"", seen["Forwarded"]);
        Assert.Equal("req-42", seen["X-Request-Id"]);
    }

    [Fact]
    public async Task A_request_id_is_generated_when_the_client_sent_none()
    {
        string? id = null;
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            id = context.Request.Headers["X-Request-Id"];
            return Task.CompletedTask;
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        await proxy.GetAsync($"http://127.0.0.1:{port}/");

        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public async Task Keep_alive_connections_are_reused_to_the_client_and_to_the_backend()
    {
        var backendConnections = new HashSet<string>();
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            lock (backendConnections)
            {
                backendConnections.Add(context.Connection.Id);
            }

            return context.Response.WriteAsync("ok");
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        for (var i = 0; i < 5; i++)
        {
            await raw.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Contains("\r\nok\r\n", await raw.ReadResponseAsync(), StringComparison.Ordinal);
        }

        Assert.Single(backendConnections);
    }

    [Fact]
    public async Task A_route_swap_keeps_an_open_keep_alive_connection_working()
    {
        await using var first = await TestBackend.StartAsync("first");
        await using var second = await TestBackend.StartAsync("second");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), first.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Contains("first /one", await raw.ReadResponseAsync(), StringComparison.Ordinal);

        await proxy.ApplyAsync(Input("b", Endpoint(port), second.Address()));
        await raw.SendAsync("GET /two HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Contains("second /two", await raw.ReadResponseAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ports_open_and_close_as_they_come_and_go_in_the_table()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = ProxyHarness.Create();
        int first = Ports.Free(), second = Ports.Free();
        await proxy.ApplyAsync(Input("one", Endpoint(first), backend.Address()));

        await proxy.ApplyAsync(Input("two", Endpoint(second), backend.Address()));

        Assert.Equal("b /x", (await proxy.GetAsync($"http://127.0.0.1:{second}/x")).Body);
        var closed = await Assert.ThrowsAsync<HttpRequestException>(() => proxy.GetAsync($"http://127.0.0.1:{first}/x"));
        Assert.Equal(HttpRequestError.ConnectionError, closed.HttpRequestError);
    }

    [Fact]
    public async Task An_idempotent_request_is_retried_on_another_backend_when_one_refuses()
    {
        await using var live = await TestBackend.StartAsync("live");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        var dead = new Routing.BackendAddress("127.0.0.1", Ports.Free(), "dead");
        await proxy.ApplyAsync(Input("b", Endpoint(port), dead, live.Address()));

        for (var i = 0; i < 4; i++)
        {
            var (status, body) = await proxy.GetAsync($"http://127.0.0.1:{port}/r");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("live /r", body);
        }
    }

    [Fact]
    public async Task A_backend_that_refuses_is_ejected_so_later_non_idempotent_requests_avoid_it()
    {
        await using var live = await TestBackend.StartAsync("live");
        await using var proxy = ProxyHarness.Create(ProxyHarness.Options(health: new PassiveHealthOptions(1, TimeSpan.FromMinutes(5))));
        var port = Ports.Free();
        var dead = new Routing.BackendAddress("127.0.0.1", Ports.Free(), "dead");
        await proxy.ApplyAsync(Input("b", Endpoint(port), dead, live.Address()));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await proxy.Client.PostAsync($"http://127.0.0.1:{port}/p", new StringContent("x"));
            statuses.Add(response.StatusCode);
        }

        // At most the first POST can land on the dead backend (and is not retried); then it is ejected.
        Assert.True(statuses.Skip(1).All(s => s == HttpStatusCode.OK), string.Join(",", statuses));
        Assert.True(statuses.Count(s => s == HttpStatusCode.BadGateway) <= 1);
    }

    [Fact]
    public async Task No_backend_is_503_all_refusing_is_502_and_a_silent_backend_is_504()
    {
        using var release = new CancellationTokenSource();
        await using var slow = await TestBackend.StartAsync("slow", async context =>
        {
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await using var proxy = ProxyHarness.Create(ProxyHarness.Options(headersTimeout: TimeSpan.FromMilliseconds(300)));
        int empty = Ports.Free(), refusing = Ports.Free(), silent = Ports.Free();
        await proxy.ApplyAsync(
            Input("empty", Endpoint(empty)),
            Input("refusing", Endpoint(refusing), new Routing.BackendAddress("127.0.0.1", Ports.Free(), "gone")),
            Input("silent", Endpoint(silent), slow.Address()));

        var noBackend = await proxy.GetAsync($"http://127.0.0.1:{empty}/");
        var refused = await proxy.GetAsync($"http://127.0.0.1:{refusing}/");
        var timedOut = await proxy.GetAsync($"http://127.0.0.1:{silent}/");
        await release.CancelAsync();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "no backend available\n"), noBackend);
        Assert.Equal((HttpStatusCode.BadGateway, "backend refused the connection\n"), refused);
        Assert.Equal((HttpStatusCode.GatewayTimeout, "backend did not answer in time\n"), timedOut);
    }

    [Fact]
    public async Task A_draining_backend_finishes_its_request_but_gets_no_new_ones()
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var old = await TestBackend.StartAsync("old", async context =>
        {
            entered.TrySetResult();
            await release.Task;
            await context.Response.WriteAsync("old finished");
        });
        await using var fresh = await TestBackend.StartAsync("new");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), old.Address()));

        var inFlight = proxy.GetAsync($"http://127.0.0.1:{port}/slow");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await proxy.Proxy.ApplyAsync(proxy.Proxy.Build([Input("b", Endpoint(port), old.Address(draining: true), fresh.Address())]).Table!);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("new /n", (await proxy.GetAsync($"http://127.0.0.1:{port}/n")).Body);
        }

        release.SetResult();
        Assert.Equal((HttpStatusCode.OK, "old finished"), await inFlight);
        Assert.Equal(1, old.Requests);
    }

    [Fact]
    public async Task Round_robin_spreads_requests_evenly()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("svc", Endpoint(port), a.Address(), b.Address(), c.Address()));

        for (var i = 0; i < 30; i++)
        {
            await proxy.GetAsync($"http://127.0.0.1:{port}/");
        }

        Assert.Equal([10, 10, 10], new[] { a.Requests, b.Requests, c.Requests });
    }

    [Fact]
    public async Task Least_requests_sends_new_requests_away_from_a_busy_backend()
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Func<HttpContext, Task> handler = async context =>
        {
            if (context.Request.Path == "/hold")
            {
                entered.TrySetResult();
                await release.Task;
            }

            await context.Response.WriteAsync("ok");
        };
        await using var a = await TestBackend.StartAsync("a", handler);
        await using var b = await TestBackend.StartAsync("b", handler);
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        var endpoint = Endpoint(port);
        endpoint.LoadBalance = LoadBalancePolicy.LeastRequests;
        await proxy.ApplyAsync(Input("svc", endpoint, a.Address(), b.Address()));

        var held = proxy.GetAsync($"http://127.0.0.1:{port}/hold");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var busy = a.Requests == 1 ? a : b;
        var idle = ReferenceEquals(busy, a) ? b : a;
        for (var i = 0; i < 6; i++)
        {
            await proxy.GetAsync($"http://127.0.0.1:{port}/quick");
        }

        release.SetResult();
        await held;
        Assert.Equal(1, busy.Requests);
        Assert.Equal(6, idle.Requests);
    }

    [Fact]
    public async Task An_internal_endpoint_refuses_requests_that_arrive_on_a_non_internal_address()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var internalAddress = IPAddress.Parse("127.0.0.2");
        await using var proxy = ProxyHarness.Create(ProxyHarness.Options(internalAddresses: [internalAddress]) is var o
            ? new NodeProxyOptions { PublicAddress = IPAddress.Any, InternalAddresses = o.InternalAddresses }
            : null);
        var port = Ports.Free();
        await proxy.ApplyAsync(
            Input("public", Endpoint(port, host: "www.test"), backend.Address()),
            Input("admin", Endpoint(port, host: "admin.test", expose: ExposeMode.Internal), backend.Address()));

        var outside = await proxy.GetAsync($"http://127.0.0.1:{port}/", "admin.test");
        var inside = await proxy.GetAsync($"http://127.0.0.2:{port}/", "admin.test");
        var publicRoute = await proxy.GetAsync($"http://127.0.0.1:{port}/", "www.test");

        Assert.Equal(HttpStatusCode.Forbidden, outside.Status);
        Assert.Equal(HttpStatusCode.OK, inside.Status);
        Assert.Equal(HttpStatusCode.OK, publicRoute.Status);
    }
}
