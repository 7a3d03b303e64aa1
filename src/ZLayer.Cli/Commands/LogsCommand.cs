using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer logs SERVICE|REPLICA</c>: the output of every replica of a service, each line prefixed
/// with its replica, or of one replica as it wrote it (stdout to stdout, stderr to stderr).
/// </summary>
public static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("SERVICE") { Description = "A service (all its replicas) or one replica, e.g. web or web.2" };
        var deployment = new Option<string?>("--deployment", "-d") { Description = "Deployment of the service (default: the one deployment that has it)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output, including that of replicas that start later, until Ctrl-C" };
        var tail = new Option<string>("--tail", "-n") { Description = "Lines to show from the end of each replica's output: a number or 'all'", DefaultValueFactory = _ => "all" };
        var since = new Option<string?>("--since") { Description = "Only output since a time (2026-01-02T15:04:05Z) or for a duration ago (10m)" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Show when each line was written" };
        var command = new Command("logs", "Show the output of a service's replicas");
        command.Arguments.Add(name);
        command.Options.Add(deployment);
        command.Options.Add(follow);
        command.Options.Add(tail);
        command.Options.Add(since);
        command.Options.Add(timestamps);
        command.SetAction(async (parse, ct) =>
        {
            var tailText = parse.GetValue(tail)!;
            if (tailText != "all" && !int.TryParse(tailText, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return Usage.Fail($"--tail must be a number of lines or 'all', not '{tailText}'");
            }

            var query = $"?follow={(parse.GetValue(follow) ? "true" : "false")}&tail={tailText}";
            if (parse.GetValue(since) is { } from)
            {
                query += "&since=" + Uri.EscapeDataString(from);
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    var (target, exit) = await ServiceTargets.ResolveAsync(client, parse.GetValue(name)!, parse.GetValue(deployment), allowReplica: true, ct);
                    if (target is null)
                    {
                        return exit;
                    }

                    var path = target.Index is null ? ApiPaths.ServiceLogs(target.Deployment, target.Service) : ApiPaths.ReplicaLogs(target.ReplicaId);
                    var prefixes = target.Index is null ? new ReplicaPrefixes(ConsoleStyle.ForStdout()) : null;
                    var desired = (await client.GetAsync<ZLayer.Control.Api.DeploymentView>(ApiPaths.Deployment(target.Deployment), ct)).Services
                        .FirstOrDefault(s => s.Name == target.Service)?.Desired ?? 1;
                    var prefixWidth = ReplicaPrefixes.Width(target.Service, desired);
                    try
                    {
                        await foreach (var text in client.ReadLinesAsync(path + query, ct))
                        {
                            var line = JsonSerializer.Deserialize<LogRecord>(text, ClientJson.Options)!;
                            var shown = parse.GetValue(timestamps) ? $"{line.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} {line.Text}" : line.Text;
                            if (prefixes is not null)
                            {
                                prefixes.Write(ShortName(line.Replica, target.Deployment), prefixWidth, shown);
                            }
                            else
                            {
                                (line.Stream == "stderr" ? Console.Error : Console.Out).WriteLine(shown);
                            }
                        }
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested && parse.GetValue(follow))
                    {
                        // Ctrl-C is how a follow ends.
                    }

                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }

    private static string ShortName(string replica, string deployment) =>
        replica.StartsWith(deployment + ".", StringComparison.Ordinal) ? replica[(deployment.Length + 1)..] : replica;
}
