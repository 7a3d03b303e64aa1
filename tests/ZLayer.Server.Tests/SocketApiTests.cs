using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ZLayer.Control.State;
using ZLayer.Server.ApiSocket;

namespace ZLayer.Server.Tests;

/// <summary>The API WebSocket at /api/v1/ws: request/response, subscriptions, resources, slow clients.</summary>
public sealed class SocketApiTests
{
    [Fact]
    public async Task Responses_carry_the_id_of_their_request()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var socket = await SocketClient.ConnectAsync(daemon.BaseAddress, daemon.AdminToken);

        // Sent together before any answer is read: each answer names the request it answers.
        await socket.SendAsync("""{"id": "a", "method": "ping"}""");
        await socket.SendAsync("""{"id": 7, "method": "ping"}""");
        await socket.SendAsync("""{"id": 8, "method": "get", "params": {"resource": "deployments"}}""");
        var first = (await socket.ReceiveAsync())!;
        var second = (await socket.ReceiveAsync())!;
        var third = (await socket.ReceiveAsync())!;
        Assert.Equal("a", (string?)first["id"]);
        Assert.True((bool)first["result"]!["pong"]!);
        Assert.Equal(7, (int)second["id"]!);
        Assert.Equal(8, (int)third["id"]!);
        Assert.Empty(third["result"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"id\": 1, \"method\": \"ping\"", null, "bad-request", "$")]
    [InlineData("""[1, 2]""", null, "bad-request", "$")]
    [InlineData("""{"method": "ping"}""", null, "bad-request", "$.id")]
    [InlineData("""{"id": true, "method": "ping"}""", null, "bad-request", "$.id")]
    [InlineData("""{"id": 1, "method": 5}""", "1", "bad-request", "$.method")]
    [InlineData("""{"id": 1, "method": "ping", "extra": 0}""", "1", "bad-request", "$.extra")]
    [InlineData("""{"id": 1, "method": "ping", "params": []}""", "1", "bad-request", "$.params")]
    [InlineData("""{"id": 1, "method": "launch"}""", "1", "unknown-method", "$.method")]
    [InlineData("""{"id": 1, "method": "subscribe", "params": {"after": "yesterday"}}""", "1", "bad-request", "$.params.after")]
    [InlineData("""{"id": 1, "method": "subscribe", "params": {"after": -1}}""", "1", "bad-request", "$.params.after")]
    [InlineData("""{"id": 1, "method": "subscribe", "params": {"since": "soon"}}""", "1", "bad-request", "$.params.since")]
    [InlineData("""{"id": 1, "method": "subscribe", "params": {"types": ["replica.*", 3]}}""", "1", "bad-request", "$.params.types[1]")]
    [InlineData("""{"id": 1, "method": "subscribe", "params": {"types": ["replica.*", "Replica Updated"]}}""", "1", "bad-request", "$.params.types[1]")]
    [InlineData("""{"id": 1, "method": "subscribe", "params": {"type": "replica.*"}}""", "1", "bad-request", "$.params.type")]
    [InlineData("""{"id": 1, "method": "subscribe", "params": {"deployment": "../x"}}""", "1", "bad-request", "$.params.deployment")]
    [InlineData("""{"id": 1, "method": "unsubscribe", "params": {"subscription": 99}}""", "1", "unknown-subscription", "$.params.subscription")]
    [InlineData("""{"id": 1, "method": "unsubscribe"}""", "1", "bad-request", "$.params.subscription")]
    [InlineData("""{"id": 1, "method": "get", "params": {"resource": "secrets"}}""", "1", "bad-request", "$.params.resource")]
    [InlineData("""{"id": 1, "method": "get"}""", "1", "bad-request", "$.params.resource")]
    [InlineData("""{"id": 1, "method": "get", "params": {"resource": "deployment", "name": "nope"}}""", "1", "not-found", "$.params.name")]
    public async Task Bad_requests_are_answered_with_the_code_and_JSON_path_at_fault(string request, string? id, string code, string path)
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var socket = await SocketClient.ConnectAsync(daemon.BaseAddress, daemon.AdminToken);
        await socket.SendAsync(request);
        var answer = (await socket.ReceiveAsync())!;
        Assert.Equal(id, answer["id"]?.ToJsonString());
        var error = answer["error"]!;
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal(path, (string?)error["path"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.DoesNotContain("   at ", (string?)error["message"]);

        // The connection survives a bad request.
        var pong = await socket.RequestAsync(2, "ping");
        Assert.True((bool)pong["result"]!["pong"]!);
    }

    [Fact]
    public async Task Get_serves_the_same_resources_as_the_REST_routes()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        await using var socket = await SocketClient.ConnectAsync(daemon.BaseAddress, daemon.AdminToken);

        foreach (var (resource, parameters, path) in new[]
        {
            ("deployments", new JsonObject(), "api/v1/deployments"),
            ("deployment", new JsonObject { ["name"] = "demo" }, "api/v1/deployments/demo"),
            ("replicas", new JsonObject { ["deployment"] = "demo", ["service"] = "web" }, "api/v1/replicas?deployment=demo&service=web"),
        })
        {
            parameters["resource"] = resource;
            var answer = await socket.RequestAsync(resource, "get", parameters);
            var rest = await daemon.Http.GetStringAsync(path);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(rest), answer["result"]), $"{resource}: {answer.ToJsonString()} vs {rest}");
        }
    }

    [Fact]
    public async Task A_subscription_delivers_the_types_asked_for_until_unsubscribed()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var socket = await SocketClient.ConnectAsync(daemon.BaseAddress, daemon.AdminToken);
        var services = await socket.SubscribeAsync(new JsonObject { ["types"] = new JsonArray("service.*", "deployment.removed") }, "s1");
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        (await daemon.Http.PostAsync("api/v1/deployments/demo/services/web/scale", Json("{\"replicas\": 3}"))).Dispose();

        // deployment.created is not of the types asked for; service.scaled is.
        var scaled = (await socket.ReceiveAsync())!;
        Assert.Equal(services, (long)scaled["subscription"]!);
        Assert.Equal("service.scaled", (string?)scaled["event"]!["type"]);
        Assert.Equal("web", (string?)scaled["event"]!["service"]);

        var before = new List<JsonObject>();
        var answer = await socket.RequestAsync(2, "unsubscribe", new JsonObject { ["subscription"] = services }, before);
        Assert.Equal(services, (long)answer["result"]!["subscription"]!);
        Assert.Empty(before);

        // After the answer no event of it comes: a second subscription that resumes before the
        // next change sees that change, and is the only one that does.
        var resumeAfter = (long)scaled["event"]!["sequence"]!;
        (await daemon.Http.DeleteAsync("api/v1/deployments/demo")).Dispose();
        var all = await socket.SubscribeAsync(new JsonObject { ["after"] = resumeAfter }, "s2");
        Assert.NotEqual(services, all);
        JsonObject removed;
        do
        {
            removed = (await socket.ReceiveAsync())!;
            Assert.Equal(all, (long)removed["subscription"]!);
        }
        while ((string?)removed["event"]!["type"] != "deployment.removed");
    }

    [Fact]
    public async Task A_subscription_resumes_after_the_last_event_seen_on_a_new_connection()
    {
        await using var daemon = await TestDaemon.StartAsync();
        long seen;
        await using (var socket = await SocketClient.ConnectAsync(daemon.BaseAddress, daemon.AdminToken))
        {
            await socket.SubscribeAsync(new JsonObject { ["deployment"] = "demo" });
            (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
            var created = (await socket.ReceiveAsync())!;
            Assert.Equal("deployment.created", (string?)created["event"]!["type"]);
            seen = (long)created["event"]!["sequence"]!;
        }

        // Disconnected while three things happen, one of another deployment.
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.DemoWebChanged)).Dispose();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Other)).Dispose();
        (await daemon.Http.PostAsync("api/v1/deployments/demo/services/web/scale", Json("{\"replicas\": 4}"))).Dispose();
        var expected = (await DeploymentApiTests.JsonAsync(await daemon.Http.GetAsync($"api/v1/events?deployment=demo&after={seen}"))).AsArray()
            .Select(e => (long)e!["sequence"]!).ToList();
        Assert.Equal(2, expected.Count);

        await using var resumed = await SocketClient.ConnectAsync(daemon.BaseAddress, daemon.AdminToken);
        var answer = await resumed.RequestAsync(1, "subscribe", new JsonObject { ["deployment"] = "demo", ["after"] = seen });
        Assert.Equal(seen, (long)answer["result"]!["after"]!);
        var got = new List<long>();
        while (got.Count < expected.Count)
        {
            got.Add((long)(await resumed.ReceiveAsync())!["event"]!["sequence"]!);
        }

        Assert.Equal(expected, got);
    }

    [Fact]
    public async Task A_client_too_slow_for_its_events_is_told_it_lagged_and_resumes_without_loss()
    {
        var previous = SocketSession.OutboxCapacity;
        SocketSession.OutboxCapacity = 16;
        try
        {
            await using var daemon = await TestDaemon.StartAsync();
            await using var socket = await SocketClient.ConnectAsync(daemon.BaseAddress, daemon.AdminToken);
            var first = await socket.SubscribeAsync(new JsonObject { ["types"] = new JsonArray("bulk.*") });
            var lagged = SocketSubscription.LaggedTotal;

            // More than the kernel can hold in the connection's buffers, while the client reads
            // nothing: the daemon's queue for it fills, and must not grow past its bound.
            var count = (int)(KernelSocketBufferBytes() / 32_000) + 200;
            var padding = new string('x', 32_000);
            var written = await daemon.Control.Events.AppendBatchAsync(
                [.. Enumerable.Range(0, count).Select(i => ((IReadOnlyList<Control.Store.TxnOp>)[], new EventLog.Draft("bulk.test", $"{i} {padding}")))]);
            await Eventually(() => SocketSubscription.LaggedTotal > lagged, "the subscription ends as lagged");

            // Reading now: events in order, then the end with where to resume; subscribing again
            // from there (as often as it lags) delivers every event exactly once.
            var received = new List<long>();
            var subscription = first;
            var lags = 0;
            while (received.Count < written.Count)
            {
                var message = (await socket.ReceiveAsync())!;
                if (message["ended"] is { } ended)
                {
                    Assert.Equal(subscription, (long)message["subscription"]!);
                    Assert.Equal("lagged", (string?)ended["reason"]);
                    Assert.Equal(received.Count == 0 ? written[0].Sequence - 1 : received[^1], (long)ended["resumeAfter"]!);
                    lags++;
                    subscription = await socket.SubscribeAsync(new JsonObject { ["types"] = new JsonArray("bulk.*"), ["after"] = (long)ended["resumeAfter"]! }, $"again{lags}");
                    continue;
                }

                if (message.ContainsKey("id"))
                {
                    continue;
                }

                Assert.Equal(subscription, (long)message["subscription"]!);
                received.Add((long)message["event"]!["sequence"]!);
            }

            Assert.True(lags >= 1);
            Assert.Equal(written.Select(e => e.Sequence), received);
        }
        finally
        {
            SocketSession.OutboxCapacity = previous;
        }
    }

    [Fact]
    public async Task A_plain_HTTP_request_to_the_socket_gets_a_problem_document()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var response = await daemon.Http.GetAsync(ApiPaths.Socket.TrimStart('/'));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Upgrade", (string?)(await DeploymentApiTests.JsonAsync(response))["field"]);
    }

    /// <summary>The most the kernel may buffer for one loopback connection: the receiver's and the sender's maximum.</summary>
    private static long KernelSocketBufferBytes()
    {
        static long Max(string file) =>
            long.Parse(File.ReadAllText(file).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
        return Max("/proc/sys/net/ipv4/tcp_rmem") + Max("/proc/sys/net/ipv4/tcp_wmem");
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not true within 30 s: {what}");
            }

            await Task.Delay(50);
        }
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
