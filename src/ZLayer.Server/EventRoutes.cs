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

namespace ZLayer.Server;

/// <summary>The event log: a JSON list, and a Server-Sent Events stream that resumes with Last-Event-ID.</summary>
public static class EventRoutes
{
    /// <summary>
    /// A comment line this often keeps proxies from closing an idle stream and lets the server
    /// notice a client that vanished without closing its connection.
    /// </summary>
    public static TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEventRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/events", async (HttpContext context, ControlPlane control, CancellationToken ct) =>
        {
            var query = Query.From(context.Request);
            var events = await control.Events.ListAsync(query.Since, ct);
            return TypedResults.Ok(events.Where(query.Matches).Where(e => e.Sequence > (query.After ?? 0)).ToList());
        });

        api.MapGet("/events/stream", StreamAsync);
        return api;
    }

    private static async Task StreamAsync(HttpContext context, ControlPlane control, IHostApplicationLifetime lifetime)
    {
        var query = Query.From(context.Request);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;

        // Where to start: after the client's last event when it resumes; from a time when asked;
        // otherwise only what happens from now on, as `docker events` does.
        long after;
        if (query.After is { } resume)
        {
            after = resume;
        }
        else
        {
            var stored = await control.Events.ListAsync(null, ct);
            after = query.Since is { } since
                ? stored.Where(e => e.Time < since).Select(e => e.Sequence).DefaultIfEmpty(0).Max()
                : stored.Select(e => e.Sequence).DefaultIfEmpty(0).Max();
        }

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
                        if (query.Matches(evt))
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

    /// <summary>The filters both routes share.</summary>
    private sealed record Query(DateTimeOffset? Since, long? After, string? Deployment, string? Service)
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

            return new Query(since, after, q["deployment"].FirstOrDefault(), q["service"].FirstOrDefault());
        }

        public bool Matches(ClusterEvent e) =>
            (Deployment is null || e.Deployment == Deployment) && (Service is null || e.Service == Service);
    }
}
