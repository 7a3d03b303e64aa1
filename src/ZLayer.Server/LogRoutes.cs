using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using ZLayer.Control.Agent;
using ZLayer.Control.Api;
using ZLayer.Control.State;
using ZLayer.Runtime;
using ZLayer.Spec.Values;

namespace ZLayer.Server;

/// <summary>
/// Replica output as newline-delimited JSON (<see cref="LogRecord"/> per line), for one replica
/// or every replica of a service. Without <c>follow</c> the lines of all replicas come merged in
/// time order; with it they come as they are written, and replicas that start (or restart) while
/// the client watches are picked up, as <c>docker compose logs -f</c> does.
/// </summary>
public static class LogRoutes
{
    /// <summary>How often a follower looks for replicas that started after it began.</summary>
    public static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(1);

    public const string ContentType = "application/x-ndjson";

    public static RouteGroupBuilder MapLogRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/deployments/{deployment}/services/{service}/logs", async (string deployment, string service, HttpContext context, ControlPlane control, NodeAgent agent, IHostApplicationLifetime lifetime) =>
        {
            RouteNames.Deployment(deployment);
            RouteNames.Service(service);
            var options = ParseOptions(context.Request);
            var record = await control.DeploymentRecordAsync(deployment, context.RequestAborted)
                ?? throw ProblemResults.NotFound($"no deployment '{deployment}'");
            if (!DeploymentSpecs.Parse(record).Services.ContainsKey(service))
            {
                throw ProblemResults.NotFound($"deployment '{deployment}' has no service '{service}'");
            }

            await StreamAsync(context, lifetime, agent, options, ct => ServiceReplicasAsync(control, deployment, service, ct));
        })
            .WithName("ServiceLogs")
            .WithSummary("Output of a service's replicas, one JSON LogRecord per line (?follow=true keeps streaming)")
            .Produces<LogRecord>(StatusCodes.Status200OK, LogRoutes.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapGet("/replicas/{replica}/logs", async (string replica, HttpContext context, NodeAgent agent, IHostApplicationLifetime lifetime) =>
        {
            var options = ParseOptions(context.Request);
            if (agent.Find(replica) is null)
            {
                throw ProblemResults.NotFound($"replica '{replica}' is not on this node (see `zlayer ps -a`)");
            }

            await StreamAsync(context, lifetime, agent, options, _ => Task.FromResult<IReadOnlyList<string>>([replica]));
        })
            .WithName("ReplicaLogs")
            .WithSummary("Output of one replica, one JSON LogRecord per line (?follow=true keeps streaming)")
            .Produces<LogRecord>(StatusCodes.Status200OK, LogRoutes.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);
        return api;
    }

    /// <summary>Reads <c>follow</c>, <c>tail</c> (a count or <c>all</c>) and <c>since</c> (a timestamp or a duration ago).</summary>
    internal static LogOptions ParseOptions(HttpRequest request)
    {
        var query = request.Query;
        var follow = false;
        if (query["follow"].ToString() is { Length: > 0 } f)
        {
            follow = f switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw ProblemResults.BadRequest($"follow must be true or false, not '{f}'", "follow"),
            };
        }

        int? tail = null;
        if (query["tail"].ToString() is { Length: > 0 } t && t != "all")
        {
            tail = int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw ProblemResults.BadRequest($"tail must be a number of lines or 'all', not '{t}'", "tail");
        }

        DateTimeOffset? since = null;
        if (query["since"].ToString() is { Length: > 0 } s)
        {
            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                since = at;
            }
            else if (Duration.TryParse(s, out var ago, out _))
            {
                since = DateTimeOffset.UtcNow - ago.Value;
            }
            else
            {
                throw ProblemResults.BadRequest($"since must be a time (2026-01-02T15:04:05Z) or a duration ago (10m), not '{s}'", "since");
            }
        }

        return new LogOptions(follow, tail, since);
    }

    private static async Task<IReadOnlyList<string>> ServiceReplicasAsync(ControlPlane control, string deployment, string service, CancellationToken ct)
    {
        var reported = await control.ReplicasAsync(deployment, ct);
        var assigned = await control.Repository.AssignmentsAsync(deployment, ct);
        return [.. reported.Where(r => r.Status.Service == service).Select(r => r.Status.ReplicaId)
            .Concat(assigned.Where(a => a.Service == service).Select(a => a.ReplicaId))
            .Distinct(StringComparer.Ordinal)];
    }

    private static async Task StreamAsync(
        HttpContext context,
        IHostApplicationLifetime lifetime,
        NodeAgent agent,
        LogOptions options,
        Func<CancellationToken, Task<IReadOnlyList<string>>> replicas)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var response = context.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        try
        {
            if (options.Follow)
            {
                await FollowAsync(response, agent, options, replicas, ct);
            }
            else
            {
                await ReadAllAsync(response, agent, options, await replicas(ct), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away or the daemon stops: the stream just ends.
        }
    }

    private static async Task ReadAllAsync(HttpResponse response, NodeAgent agent, LogOptions options, IReadOnlyList<string> replicas, CancellationToken ct)
    {
        var lines = new List<LogRecord>();
        foreach (var replica in replicas)
        {
            if (agent.Find(replica) is not { } found)
            {
                continue;
            }

            await foreach (var line in found.Runtime.LogsAsync(found.Handle, options, ct))
            {
                lines.Add(Record(replica, line));
            }
        }

        // A stable sort keeps each replica's own order for lines with the same timestamp.
        foreach (var line in lines.OrderBy(l => l.Time))
        {
            await WriteAsync(response, line, ct);
        }

        await response.Body.FlushAsync(ct);
    }

    private static async Task FollowAsync(
        HttpResponse response,
        NodeAgent agent,
        LogOptions options,
        Func<CancellationToken, Task<IReadOnlyList<string>>> replicas,
        CancellationToken ct)
    {
        await response.Body.FlushAsync(ct);
        var channel = Channel.CreateBounded<LogRecord>(new BoundedChannelOptions(4096) { SingleReader = true });
        var followers = new Dictionary<string, (string RuntimeId, CancellationTokenSource Stop, Task Task)>(StringComparer.Ordinal);
        var first = true;
        var discovery = Task.Run(
            async () =>
            {
                try
                {
                    while (!ct.IsCancellationRequested)
                    {
                        foreach (var replica in await replicas(ct))
                        {
                            if (agent.Find(replica) is not { } found)
                            {
                                continue;
                            }

                            if (followers.TryGetValue(replica, out var existing))
                            {
                                if (existing.RuntimeId == found.Handle.RuntimeId)
                                {
                                    continue;
                                }

                                // Replaced (a restart or a new spec): its old output is gone with it.
                                await existing.Stop.CancelAsync();
                                existing.Stop.Dispose();
                            }

                            // What was there when the client asked obeys tail and since; a replica
                            // that appears later is shown from its first line.
                            var from = first ? options : options with { Tail = null, Since = null };
                            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                            followers[replica] = (found.Handle.RuntimeId, stop, PumpAsync(replica, found.Runtime, found.Handle, from, channel.Writer, stop.Token));
                        }

                        first = false;
                        await Task.Delay(DiscoveryInterval, ct);
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            },
            CancellationToken.None);

        try
        {
            while (await channel.Reader.WaitToReadAsync(ct))
            {
                while (channel.Reader.TryRead(out var line))
                {
                    await WriteAsync(response, line, ct);
                }

                await response.Body.FlushAsync(ct);
            }
        }
        finally
        {
            await discovery;
            foreach (var follower in followers.Values)
            {
                await follower.Stop.CancelAsync();
                follower.Stop.Dispose();
            }
        }
    }

    private static async Task PumpAsync(string replica, IContainerRuntime runtime, ReplicaHandle handle, LogOptions options, ChannelWriter<LogRecord> writer, CancellationToken ct)
    {
        try
        {
            await foreach (var line in runtime.LogsAsync(handle, options, ct))
            {
                await writer.WriteAsync(Record(replica, line), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (RuntimeException)
        {
            // The replica was removed between discovery and reading; a replacement is found by discovery.
        }
        catch (IOException)
        {
            // As above: its files went with it.
        }
    }

    private static LogRecord Record(string replica, LogLine line) =>
        new(replica, line.Timestamp, line.Stream == LogStream.Stderr ? "stderr" : "stdout", line.Text);

    private static async Task WriteAsync(HttpResponse response, LogRecord line, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, StateJson.Options);
        await response.Body.WriteAsync(bytes, ct);
        await response.Body.WriteAsync("\n"u8.ToArray(), ct);
    }
}
