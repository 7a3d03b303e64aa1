using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Api;
using ZLayer.Control.State;
using ZLayer.Control.Store.Sqlite;
using ZLayer.Server;
using ZLayer.Server.Auth;
using static ZLayer.Bench.Measure;

namespace ZLayer.Bench;

/// <summary>
/// Events fanned out to many followers at once: the real API server over the real SQLite store,
/// N events appended one commit at a time while S subscribers follow them, over Server-Sent
/// Events and over the WebSocket. Every subscriber counts what it gets and checks the order, so a
/// lost, repeated or reordered event shows; the latency of an event is from the start of its
/// append to its arrival at the last of the subscribers.
/// </summary>
public static class EventFanOutBenchmark
{
    private const string Type = "bench.tick";

    public static async Task<int> RunAsync(string[] args)
    {
        var subscribers = Options.Int(args, "--subscribers", 200);
        var events = Options.Int(args, "--events", 1000);
        var transports = Options.String(args, "--transport", "both") switch
        {
            "sse" => ["sse"],
            "ws" => ["ws"],
            _ => new[] { "sse", "ws" },
        };
        Console.WriteLine(Line($"events subscribers={subscribers} events={events} store=sqlite cores={Environment.ProcessorCount}"));

        var directory = Directory.CreateTempSubdirectory("zlayer-bench-events-").FullName;
        var failed = false;
        try
        {
            await using var store = await SqliteStateStore.OpenAsync(Path.Combine(directory, "state.db"), TimeProvider.System);
            var control = new ControlPlane(new StateRepository(store), new ZLayer.Control.State.EventLog(store, TimeProvider.System), TimeProvider.System);
            // Subscribers connect over TCP as remote clients do: with a token, and no rate limit in the way.
            var security = await ApiSecurity.OpenAsync(directory, new ApiSecuritySettings(RateLimit: 0));
            var token = (await File.ReadAllTextAsync(Path.Combine(directory, AdminToken.FileName))).Trim();
            await using var app = ApiServer.Build(
                new ApiServerOptions { SocketPath = null, TcpEndpoint = new IPEndPoint(IPAddress.Loopback, 0), Security = security },
                control,
                builder => builder.Logging.ClearProviders());
            await app.StartAsync();
            var baseUri = new Uri(ApiServer.Addresses(app).First() + "/");
            foreach (var transport in transports)
            {
                var run = new Run(subscribers, events);
                using var stop = new CancellationTokenSource();
                var readers = await ConnectAllAsync(transport, baseUri, token, run, stop.Token);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < events; i++)
                {
                    run.Sent[i] = Stopwatch.GetTimestamp();
                    await control.Events.AppendAsync(Type, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                var appended = clock.Elapsed;
                await Task.WhenAny(Task.WhenAll(run.Done.Select(d => d.Task)), Task.Delay(TimeSpan.FromSeconds(60)));
                await stop.CancelAsync();
                await Task.WhenAll(readers);
                failed |= !Report(transport, run, appended);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        return failed ? 1 : 0;
    }

    private static bool Report(string transport, Run run, TimeSpan appended)
    {
        var delivered = run.Received.Sum();
        var lost = (long)run.Subscribers * run.Events - delivered;
        var latencies = Enumerable.Range(0, run.Events)
            .Where(i => run.LastArrival[i] > 0)
            .Select(i => (run.LastArrival[i] - run.Sent[i]) * 1000.0 / Stopwatch.Frequency)
            .Order()
            .ToList();
        var total = TimeSpan.FromTicks((long)((run.LastArrival.Max() - run.Sent[0]) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        string P(double q) => latencies.Count == 0 ? "-" : Line($"{latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)]:F1}ms");
        Console.WriteLine(Line(
            $"{transport}: delivered={delivered}/{(long)run.Subscribers * run.Events} lost={lost} out-of-order={run.Disorder} per-subscriber min={run.Received.Min()} max={run.Received.Max()} appends={Ms(appended)} all-delivered={Ms(total)} deliveries/s={delivered / total.TotalSeconds:F0} fan-out latency p50={P(0.5)} p99={P(0.99)} max={P(1)}"));
        return lost == 0 && run.Disorder == 0;
    }

    private static async Task<List<Task>> ConnectAllAsync(string transport, Uri baseUri, string token, Run run, CancellationToken stop)
    {
        // Every subscriber is live (its stream or subscription answered) before the first append.
        var readers = new List<Task>();
        var live = new List<Task>();
        for (var s = 0; s < run.Subscribers; s++)
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var subscriber = s;
            readers.Add(Task.Run(async () =>
            {
                try
                {
                    await (transport == "sse"
                        ? FollowSseAsync(baseUri, token, run, subscriber, ready, stop)
                        : FollowSocketAsync(baseUri, token, run, subscriber, ready, stop));
                }
                catch (Exception ex)
                {
                    // A subscriber that could not connect fails the run at once, with its reason.
                    ready.TrySetException(ex);
                }
            }));
            live.Add(ready.Task);
        }

        await Task.WhenAll(live).WaitAsync(TimeSpan.FromSeconds(60));
        return readers;
    }

    private static async Task FollowSseAsync(Uri baseUri, string token, Run run, int subscriber, TaskCompletionSource ready, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/events?type=" + Type);
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                if (line.StartsWith("retry:", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    using var json = JsonDocument.Parse(line.AsMemory(6));
                    run.Arrived(subscriber, json.RootElement.GetProperty("message").GetString()!);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private static async Task FollowSocketAsync(Uri baseUri, string token, Run run, int subscriber, TaskCompletionSource ready, CancellationToken stop)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await socket.ConnectAsync(new UriBuilder(new Uri(baseUri, ApiPaths.Socket.TrimStart('/'))) { Scheme = "ws" }.Uri, stop);
        await socket.SendAsync(Encoding.UTF8.GetBytes($$$"""{"id":1,"method":"subscribe","params":{"types":["{{{Type}}}"]}}"""), WebSocketMessageType.Text, true, stop);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), stop);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
                var root = json.RootElement;
                if (root.TryGetProperty("id", out _))
                {
                    ready.TrySetResult();
                }
                else if (root.TryGetProperty("event", out var evt))
                {
                    run.Arrived(subscriber, evt.GetProperty("message").GetString()!);
                }
                else
                {
                    // Ended (lagged): what it did not deliver counts as lost.
                    run.Done[subscriber].TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    /// <summary>What one run counts: per subscriber, how many and in which order; per event, when it was sent and last arrived.</summary>
    private sealed class Run(int subscribers, int events)
    {
        private readonly int[] _next = new int[subscribers];
        private long _disorder;

        public int Subscribers { get; } = subscribers;

        public int Events { get; } = events;

        public long[] Sent { get; } = new long[events];

        public long[] LastArrival { get; } = new long[events];

        public int[] Received { get; } = new int[subscribers];

        public TaskCompletionSource[] Done { get; } = [.. Enumerable.Range(0, subscribers).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];

        public long Disorder => Interlocked.Read(ref _disorder);

        public void Arrived(int subscriber, string message)
        {
            var now = Stopwatch.GetTimestamp();
            var index = int.Parse(message, System.Globalization.CultureInfo.InvariantCulture);
            if (index != _next[subscriber])
            {
                Interlocked.Increment(ref _disorder);
            }

            _next[subscriber] = index + 1;
            Received[subscriber]++;
            long seen;
            do
            {
                seen = Interlocked.Read(ref LastArrival[index]);
            }
            while (now > seen && Interlocked.CompareExchange(ref LastArrival[index], now, seen) != seen);

            if (Received[subscriber] == Events)
            {
                Done[subscriber].TrySetResult();
            }
        }
    }
}
