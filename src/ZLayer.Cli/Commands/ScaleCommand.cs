using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer scale SERVICE=N ...</c>: sets replica counts, overriding the spec's.</summary>
public static class ScaleCommand
{
    public static Command Create()
    {
        var targets = new Argument<string[]>("SERVICE=N") { Description = "Service and replica count, e.g. web=3", Arity = ArgumentArity.OneOrMore };
        var deployment = new Option<string?>("--deployment", "-d") { Description = "Deployment of the services (default: the one deployment that has each service)" };
        var command = new Command("scale", "Set the number of replicas of services");
        command.Arguments.Add(targets);
        command.Options.Add(deployment);
        command.SetAction(async (parse, ct) =>
        {
            var wanted = new List<(string Service, int Replicas)>();
            foreach (var target in parse.GetValue(targets)!)
            {
                var eq = target.IndexOf('=');
                if (eq <= 0 || !int.TryParse(target[(eq + 1)..], out var n) || n < 0)
                {
                    return Usage.Fail($"'{target}' is not SERVICE=N with N a whole number, 0 or more (e.g. web=3)");
                }

                wanted.Add((target[..eq], n));
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    var plan = new List<(string Deployment, string Service, int Replicas)>();
                    foreach (var (service, replicas) in wanted)
                    {
                        var (target, exit) = await ServiceTargets.ResolveAsync(client, service, parse.GetValue(deployment), allowReplica: false, ct);
                        if (target is null)
                        {
                            return exit;
                        }

                        plan.Add((target.Deployment, target.Service, replicas));
                    }

                    foreach (var (name, service, replicas) in plan)
                    {
                        var result = await client.PostAsync<ScaleResponse>(ApiPaths.Scale(name, service), new { replicas }, ct);
                        Console.Out.WriteLine(result.Previous == result.Replicas
                            ? $"{name}/{service}: already {result.Replicas} replicas"
                            : $"{name}/{service}: scaled from {result.Previous} to {result.Replicas} replicas");
                    }

                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }
}
