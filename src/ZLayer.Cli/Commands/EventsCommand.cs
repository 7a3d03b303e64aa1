using System.CommandLine;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Control.Model;
using ZLayer.Server;
using ZLayer.Spec.Values;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer events</c>: the recorded changes; with <c>-f</c>, new ones as they happen.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events until Ctrl-C" };
        var since = new Option<string?>("--since") { Description = "Only events since a duration ago (10m, 2h) or a time (2026-01-31T12:00:00Z)" };
        var deployment = new Option<string?>("--deployment", "-d") { Description = "Only events of this deployment" };
        var output = OutputOption.Create("text", "text", "json");
        var command = new Command("events", "Show deployment, scaling and replica events");
        command.Options.Add(follow);
        command.Options.Add(since);
        command.Options.Add(deployment);
        command.Options.Add(output);
        command.SetAction(async (parse, ct) =>
        {
            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } sinceText && !TryParseSince(sinceText, DateTimeOffset.UtcNow, out from, out var error))
            {
                return Usage.Fail($"--since: {error}");
            }

            var query = new List<string>();
            if (from is { } f)
            {
                query.Add("since=" + Uri.EscapeDataString(f.ToString("O", CultureInfo.InvariantCulture)));
            }

            if (parse.GetValue(deployment) is { } d)
            {
                query.Add("deployment=" + Uri.EscapeDataString(d));
            }

            var qs = query.Count == 0 ? "" : "?" + string.Join('&', query);
            var json = parse.GetValue(output) == "json";
            return await ClientCommand.RunAsync(
                async client =>
                {
                    if (!parse.GetValue(follow))
                    {
                        var events = await client.GetAsync<List<ClusterEvent>>(ApiPaths.Events + qs, ct);
                        if (json)
                        {
                            Console.Out.WriteLine(new JsonArray([.. events.Select(ToJson)]).ToJsonString(DiagnosticPrinter.Indented));
                        }
                        else
                        {
                            var style = ConsoleStyle.ForStdout();
                            events.ForEach(e => Console.Out.WriteLine(Format(style, e)));
                        }

                        return ExitCodes.Success;
                    }

                    return await FollowAsync(new EventFollower(client, parse.GetValue(deployment), from), json, ct);
                },
                ct);
        });
        return command;
    }

    /// <summary><c>10m</c> ago, or an ISO 8601 time (a time without zone is UTC, as the daemon records).</summary>
    public static bool TryParseSince(string text, DateTimeOffset now, out DateTimeOffset? since, out string error)
    {
        since = null;
        if (Duration.TryParse(text, out var duration, out _))
        {
            since = now - duration.Value;
            error = "";
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            since = time;
            error = "";
            return true;
        }

        error = $"'{text}' is neither a duration (10m, 2h) nor a time (2026-01-31T12:00:00Z)";
        return false;
    }

    /// <summary>
    /// Follows events over the API WebSocket until Ctrl-C. A dropped connection (daemon
    /// restarted) is resumed after the last event shown, so no event is lost or shown twice.
    /// </summary>
    private static async Task<int> FollowAsync(EventFollower follower, bool json, CancellationToken ct)
    {
        var style = ConsoleStyle.ForStdout();
        var everConnected = false;
        var announced = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var evt in follower.FollowAsync(ct))
                {
                    everConnected = true;
                    announced = false;
                    Console.Out.WriteLine(json ? ToJson(evt).ToJsonString() : Format(style, evt));
                }

                // The connection opened and then closed: the daemon is stopping or restarting.
                everConnected = true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (EventStreamInterruptedException ex)
            {
                everConnected = true;
                Console.Error.WriteLine($"zlayer: the daemon interrupted the stream: {ex.Message}");
            }
            catch (Exception ex) when (everConnected && ex is DaemonUnreachableException or HttpRequestException or IOException or WebSocketException)
            {
                // Lost after it worked: the daemon is restarting; try again below. A failure on the
                // very first connection is not caught, so "no daemon running" ends the command.
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            if (!announced)
            {
                // Said once per loss, not on every retry while the daemon is away.
                Console.Error.WriteLine("zlayer: lost the event stream; reconnecting…");
                announced = true;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Ctrl-C is how a follow ends; it is not a failure.
        return ExitCodes.Success;
    }

    public static JsonObject ToJson(ClusterEvent e) => new()
    {
        ["sequence"] = e.Sequence,
        ["time"] = e.Time.ToString("O"),
        ["type"] = e.Type,
        ["deployment"] = e.Deployment,
        ["service"] = e.Service,
        ["replica"] = e.Replica,
        ["message"] = e.Message,
    };

    /// <summary><c>time type deployment/service/replica message</c>.</summary>
    public static string Format(ConsoleStyle style, ClusterEvent e)
    {
        var subject = e.Replica ?? string.Join('/', new[] { e.Deployment, e.Service }.Where(s => s is not null));
        var time = e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var type = e.Type.Contains("fail", StringComparison.Ordinal) || e.Type.Contains("unhealthy", StringComparison.Ordinal)
            ? style.Red(e.Type)
            : style.Bold(e.Type);
        return $"{style.Dim(time)} {type} {(subject.Length == 0 ? "-" : subject)} {e.Message}";
    }
}
