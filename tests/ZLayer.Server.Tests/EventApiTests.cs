using System.Net;
using System.Text.Json.Nodes;

namespace ZLayer.Server.Tests;

public sealed class EventApiTests
{
    private sealed record Sse(string? Id, string Type, string Data);

    /// <summary>An open event stream, read frame by frame.</summary>
    private sealed class EventStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;

        private EventStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public static async Task<EventStream> OpenAsync(HttpClient http, string? lastEventId = null, string query = "", string path = "api/v1/events/stream")
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path + query);
            request.Headers.Accept.ParseAdd("text/event-stream");
            if (lastEventId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastEventId);
            }

            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

            // The stream starts with its retry hint, so the subscription is live once that is read.
            Assert.Equal("retry: 2000", await reader.ReadLineAsync());
            Assert.Equal("", await reader.ReadLineAsync());
            return new EventStream(response, reader);
        }

        public async Task<Sse> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            string? id = null;
            var type = "message";
            var data = "";
            while (await _reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        return new Sse(id, type, data);
                    }

                    continue;
                }

                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }

            throw new EndOfStreamException("the event stream ended");
        }

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _response.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task The_stream_delivers_a_deploy_and_resumes_after_the_last_event_id()
    {
        await using var daemon = await TestDaemon.StartAsync();
        string firstId;
        await using (var stream = await EventStream.OpenAsync(daemon.Http))
        {
            (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
            var created = await stream.NextAsync();
            Assert.Equal("deployment.created", created.Type);
            var data = JsonNode.Parse(created.Data)!;
            Assert.Equal("demo", (string?)data["deployment"]);
            Assert.Equal(created.Id, ((long)data["sequence"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
            firstId = created.Id!;
        }

        // Disconnected while two things happen; resuming delivers exactly those, in order.
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.DemoWebChanged)).Dispose();
        (await daemon.Http.PostAsync("api/v1/deployments/demo/services/web/scale", JsonContent("{\"replicas\": 4}"))).Dispose();
        await using (var resumed = await EventStream.OpenAsync(daemon.Http, firstId))
        {
            var updated = await resumed.NextAsync();
            Assert.Equal("deployment.updated", updated.Type);
            Assert.Contains("changed web", updated.Data);
            var scaled = await resumed.NextAsync();
            Assert.Equal("service.scaled", scaled.Type);
            Assert.True(long.Parse(scaled.Id!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(updated.Id!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_new_stream_without_an_id_starts_from_now_and_one_with_since_replays()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        await using var fromNow = await EventStream.OpenAsync(daemon.Http);
        await using var replay = await EventStream.OpenAsync(daemon.Http, query: "?since=" + Uri.EscapeDataString(before));
        Assert.Equal("deployment.created", (await replay.NextAsync()).Type);

        (await daemon.Http.DeleteAsync("api/v1/deployments/demo")).Dispose();
        Assert.Equal("deployment.removed", (await fromNow.NextAsync()).Type);
        Assert.Equal("deployment.removed", (await replay.NextAsync()).Type);
    }

    [Fact]
    public async Task Idle_streams_get_keep_alive_comments()
    {
        var previous = EventRoutes.KeepAlive;
        EventRoutes.KeepAlive = TimeSpan.FromMilliseconds(200);
        try
        {
            await using var daemon = await TestDaemon.StartAsync();
            using var response = await daemon.Http.GetAsync("api/v1/events/stream", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            string? line;
            while ((line = await reader.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith(':'))
            {
            }

            Assert.Equal(": keep-alive", line);
        }
        finally
        {
            EventRoutes.KeepAlive = previous;
        }
    }

    [Fact]
    public async Task The_event_list_filters_by_time_and_deployment()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Other)).Dispose();

        using var all = await daemon.Http.GetAsync("api/v1/events");
        var events = (await DeploymentApiTests.JsonAsync(all)).AsArray();
        Assert.Equal(["deployment.created", "deployment.created"], events.Select(e => (string)e!["type"]!).ToArray());
        Assert.Contains("added web, db", (string?)events[0]!["message"]);

        using var one = await daemon.Http.GetAsync("api/v1/events?deployment=other");
        Assert.Equal("other", (string?)(await DeploymentApiTests.JsonAsync(one)).AsArray().Single()!["deployment"]);

        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"));
        using var none = await daemon.Http.GetAsync("api/v1/events?since=" + future);
        Assert.Empty((await DeploymentApiTests.JsonAsync(none)).AsArray());

        using var bad = await daemon.Http.GetAsync("api/v1/events?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("since", (string?)(await DeploymentApiTests.JsonAsync(bad))["field"]);

        using var badId = await daemon.Http.GetAsync("api/v1/events/stream?after=abc");
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
    }

    [Fact]
    public async Task The_events_path_streams_for_an_event_stream_client_and_a_resume_neither_loses_nor_repeats()
    {
        await using var daemon = await TestDaemon.StartAsync();
        string lastId;
        await using (var stream = await EventStream.OpenAsync(daemon.Http, path: "api/v1/events"))
        {
            (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
            lastId = (await stream.NextAsync()).Id!;
        }

        // While disconnected: several changes, some of them in one commit.
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.DemoWebChanged)).Dispose();
        (await daemon.Http.PostAsync("api/v1/deployments/demo/services/web/scale", JsonContent("{\"replicas\": 2}"))).Dispose();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Other)).Dispose();
        using var stored = await daemon.Http.GetAsync("api/v1/events?after=" + lastId);
        var missed = (await DeploymentApiTests.JsonAsync(stored)).AsArray().Select(e => ((long)e!["sequence"]!).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(missed.Count >= 3);

        await using var resumed = await EventStream.OpenAsync(daemon.Http, lastId, path: "api/v1/events");
        var got = new List<string>();
        while (got.Count < missed.Count)
        {
            got.Add((await resumed.NextAsync()).Id!);
        }

        Assert.Equal(missed, got);

        // And what happens next follows them, once.
        (await daemon.Http.DeleteAsync("api/v1/deployments/other")).Dispose();
        var next = await resumed.NextAsync();
        Assert.Equal("deployment.removed", next.Type);
        Assert.DoesNotContain(next.Id, got);
    }

    [Fact]
    public async Task Type_filters_take_exact_types_and_dotted_prefixes_on_the_list_and_the_stream()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var stream = await EventStream.OpenAsync(daemon.Http, query: "?type=service.*&type=deployment.removed", path: "api/v1/events");
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        (await daemon.Http.PostAsync("api/v1/deployments/demo/services/web/scale", JsonContent("{\"replicas\": 2}"))).Dispose();
        (await daemon.Http.DeleteAsync("api/v1/deployments/demo")).Dispose();

        Assert.Equal("service.scaled", (await stream.NextAsync()).Type);
        Assert.Equal("deployment.removed", (await stream.NextAsync()).Type);

        using var list = await daemon.Http.GetAsync("api/v1/events?type=deployment.created,deployment.removed");
        Assert.Equal(["deployment.created", "deployment.removed"], (await DeploymentApiTests.JsonAsync(list)).AsArray().Select(e => (string)e!["type"]!).ToArray());
        using var prefix = await daemon.Http.GetAsync("api/v1/events?type=deployment.*");
        Assert.All((await DeploymentApiTests.JsonAsync(prefix)).AsArray(), e => Assert.StartsWith("deployment.", (string)e!["type"]!));
        using var everything = await daemon.Http.GetAsync("api/v1/events?type=*");
        Assert.Equal(3, (await DeploymentApiTests.JsonAsync(everything)).AsArray().Count);

        // "deployment" alone is a type, not a prefix: nothing is of that type.
        using var exact = await daemon.Http.GetAsync("api/v1/events?type=deployment");
        Assert.Empty((await DeploymentApiTests.JsonAsync(exact)).AsArray());

        using var bad = await daemon.Http.GetAsync("api/v1/events?type=replica.**");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("type", (string?)(await DeploymentApiTests.JsonAsync(bad))["field"]);
    }

    [Fact]
    public async Task Without_an_event_stream_accept_header_the_events_path_answers_the_JSON_list()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/events");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await daemon.Http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Single((await DeploymentApiTests.JsonAsync(response)).AsArray());
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
