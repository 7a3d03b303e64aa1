using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer restart SERVICE...</c>: replaces each service's replicas one at a time, each after the
/// one before is healthy again, so a service never loses more than one replica of capacity.
/// </summary>
public static class RestartCommand
{
    public static Command Create()
    {
        var names = new Argument<string[]>("SERVICE") { Description = "Services to restart", Arity = ArgumentArity.OneOrMore };
        var deployment = new Option<string?>("--deployment", "-d") { Description = "Deployment of the services (default: the one deployment that has each service)" };
        var command = new Command("restart", "Restart the replicas of services one at a time, without downtime");
        command.Arguments.Add(names);
        command.Options.Add(deployment);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var targets = new List<ServiceTarget>();
                foreach (var name in parse.GetValue(names)!)
                {
                    var (target, exit) = await ServiceTargets.ResolveAsync(client, name, parse.GetValue(deployment), allowReplica: false, ct);
                    if (target is null)
                    {
                        return exit;
                    }

                    targets.Add(target);
                }

                foreach (var target in targets)
                {
                    Console.Error.WriteLine($"restarting {target.Deployment}/{target.Service}...");
                    var result = await client.PostAsync<RestartResponse>(ApiPaths.Restart(target.Deployment, target.Service), new { }, ct);
                    Console.Out.WriteLine($"{result.Deployment}/{result.Service}: {result.Restarted} replica(s) restarted, each healthy again");
                }

                return ExitCodes.Success;
            },
            ct,
            Timeout.InfiniteTimeSpan));
        return command;
    }
}
