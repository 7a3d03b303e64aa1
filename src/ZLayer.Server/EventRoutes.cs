using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;
using ZLayer.Server.Events;

namespace ZLayer.Server;

/// <summary>The event log: a JSON list, or a Server-Sent Events stream that resumes with Last-Event-ID.</summary>
public static class EventRoutes
{
    /// <summary>
    /// A comment line this often keeps proxies from closing an idle stream and lets the server
    /// notice a client that vanished without closing its connection.
    /// </summary>
    public static TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEventRoutes(this RouteGroupBuilder api)
    {
        // One path, two representations: the stored list as JSON, or the stream for a client that
        // accepts text/event-stream (EventSource does). The parameters are declared for the API
        // description; Query parses them so that errors name the parameter.
        api.MapGet("/events", (HttpContext context, ControlPlane control, IHostApplicationLifetime lifetime, string? deployment, string? service, string[]? type, string? since, string? after) =>
            AcceptsEventStream(context.Request) ? StreamAsync(context, control, lifetime) : ListAsync(context, control))
            .WithName("ListEvents")
            .WithSummary("The recorded events, or their stream")
            .WithDescription("JSON list of stored events. With Accept: text/event-stream, a Server-Sent Events stream (id = sequence, event = type) " +
                "that resumes after Last-Event-ID (or ?after=), starts at ?since= when given, else from now. " +
                "'type' may repeat or hold several comma-separated patterns: replica.updated, replica.* or *.")
            .Produces<List<ClusterEvent>>(StatusCodes.Status200OK, "application/json", "text/event-stream");

        // The stream's former path, kept so that clients written against it keep working.
        api.MapGet("/events/stream", (HttpContext context, ControlPlane control, IHostApplicationLifetime lifetime, string? deployment, string? service, string[]? type, string? since, string? after) =>
            StreamAsync(context, control, lifetime))
            .WithName("StreamEvents")
            .WithSummary("The event stream (alias of GET /api/v1/events with Accept: text/event-stream)")
            .Produces<ClusterEvent>(StatusCodes.Status200OK, "text/event-stream");
        return api;
    }

    private static bool AcceptsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    private static async Task ListAsync(HttpContext context, ControlPlane control)
    {
        var query = Query.From(context.Request);
        var events = await control.Events.ListAsync(query.Since, context.RequestAborted);
        var list = events.Where(query.Filter.Matches).Where(e => e.Sequence > (query.After ?? 0)).ToList();
        await context.Response.WriteAsJsonAsync(list, StateJson.Options, context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, ControlPlane control, IHostApplicationLifetime lifetime)
    {
        var query = Query.From(context.Request);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var after = await EventCursor.StartAsync(control, query.After, query.Since, ct);

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.WriteAsync("retry: 2000\n\n", ct);
        await response.Body.FlushAsync(ct);

        // The follow loop and the keep-alive timer meet in a channel, so one writer owns the response.
        var channel = Channel.CreateBounded<ClusterEvent>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(
            async () =>
            {
                Exception? failure = null;
                try
                {
                    await foreach (var evt in control.Events.FollowAsync(after, ct))
                    {
                        if (query.Filter.Matches(evt))
                        {
                            await channel.Writer.WriteAsync(evt, ct);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // The stream is ending (client gone, daemon stopping); the writer loop has left.
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                finally
                {
                    channel.Writer.TryComplete(failure);
                }
            },
            CancellationToken.None);

        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                idle.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                var frames = new StringBuilder();
                while (channel.Reader.TryRead(out var evt))
                {
                    frames.Append("id: ").Append(evt.Sequence.ToString(CultureInfo.InvariantCulture)).Append('\n')
                        .Append("event: ").Append(evt.Type).Append('\n')
                        .Append("data: ").Append(JsonSerializer.Serialize(evt, StateJson.Options)).Append("\n\n");
                }

                await response.WriteAsync(frames.ToString(), ct);
                await response.Body.FlushAsync(ct);
            }
        }
        catch (ChannelClosedException ex)
        {
            // The headers are gone, so the failure travels as an event; the client reconnects with
            // Last-Event-ID and misses nothing.
            var problem = ex.InnerException is StoreUnavailableException s
                ? ProblemResults.StoreUnavailable(s)
                : new ApiProblem("urn:zlayer:problem:stream-interrupted", "The event stream was interrupted", StatusCodes.Status503ServiceUnavailable, ex.InnerException?.Message);
            await response.WriteAsync($"event: error\ndata: {JsonSerializer.Serialize(problem, StateJson.Options)}\n\n", CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // The client left or the daemon is stopping; both end the stream quietly.
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }

    /// <summary>The parameters both representations share.</summary>
    private sealed record Query(DateTimeOffset? Since, long? After, EventFilter Filter)
    {
        public static Query From(HttpRequest request)
        {
            var q = request.Query;
            DateTimeOffset? since = null;
            if (q["since"].FirstOrDefault() is { Length: > 0 } sinceText)
            {
                since = DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                    ? t
                    : throw ProblemResults.BadRequest($"'since' must be an ISO 8601 time such as 2026-01-31T12:00:00Z, not '{sinceText}'", "since");
            }

            // Last-Event-ID is how EventSource resumes; 'after' is the same for clients that cannot set headers.
            var afterText = request.Headers["Last-Event-ID"].FirstOrDefault() is { Length: > 0 } header ? header : q["after"].FirstOrDefault();
            long? after = null;
            if (afterText is { Length: > 0 })
            {
                after = long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
                    ? a
                    : throw ProblemResults.BadRequest($"the event id to resume after must be a sequence number, not '{afterText}'", "Last-Event-ID");
            }

            try
            {
                return new Query(since, after, EventFilter.Create(q["deployment"].FirstOrDefault(), q["service"].FirstOrDefault(), q["type"].Select(t => (t, "type"))));
            }
            catch (EventFilterException ex)
            {
                throw ProblemResults.BadRequest(ex.Message, ex.Field);
            }
        }
    }
}
