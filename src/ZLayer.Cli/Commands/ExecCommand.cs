using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Control.Model;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer exec [-i] [-t] SERVICE|REPLICA -- COMMAND...</c>: runs a command with a replica's
/// environment (the first running replica of a service unless one is named) and exits with its
/// exit code. Plain, the output comes back when the command ends; with -i or -t it streams both
/// ways over a session (a terminal with -t, this one's input with -i).
/// </summary>
public static class ExecCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("SERVICE") { Description = "A service (its first running replica) or one replica, e.g. web or web.2" };
        var program = new Argument<string[]>("COMMAND") { Description = "The command and its arguments (put them after --)", Arity = ArgumentArity.OneOrMore };
        var deployment = new Option<string?>("--deployment", "-d") { Description = "Deployment of the service (default: the one deployment that has it)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds the command may run before it is killed (not with -i/-t: a session lasts until the command ends)", DefaultValueFactory = _ => 60 };
        var stdin = new Option<bool>("--interactive", "-i") { Description = "Stream this terminal's standard input to the command" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Give the command a terminal the size of this one (keys as typed, Ctrl-C included)" };
        var command = new Command("exec", "Run a command in a running replica");
        command.Arguments.Add(name);
        command.Arguments.Add(program);
        command.Options.Add(deployment);
        command.Options.Add(timeout);
        command.Options.Add(stdin);
        command.Options.Add(tty);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(timeout) is < 1 or > 3600)
            {
                return Usage.Fail("--timeout must be between 1 and 3600 seconds");
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    var (target, exit) = await ServiceTargets.ResolveAsync(client, parse.GetValue(name)!, parse.GetValue(deployment), allowReplica: true, ct);
                    if (target is null)
                    {
                        return exit;
                    }

                    var replica = target.Index is null ? await FirstRunningAsync(client, target, ct) : target.ReplicaId;
                    if (replica is null)
                    {
                        Console.Error.WriteLine($"zlayer: service '{target.Service}' has no running replica (see `zlayer ps`)");
                        return ExitCodes.Failure;
                    }

                    if (parse.GetValue(stdin) || parse.GetValue(tty))
                    {
                        return await ExecSessionClient.RunAsync(client, replica, [.. parse.GetValue(program)!], parse.GetValue(tty), parse.GetValue(stdin), ct);
                    }

                    var request = new ExecRequest([.. parse.GetValue(program)!], parse.GetValue(timeout));
                    var result = await client.PostAsync<ExecResponse>(ApiPaths.Exec(replica), request, ct);
                    Console.Out.Write(result.Stdout);
                    Console.Error.Write(result.Stderr);
                    return result.ExitCode;
                },
                ct,
                TimeSpan.FromSeconds(parse.GetValue(timeout) + 30));
        });
        return command;
    }

    private static async Task<string?> FirstRunningAsync(ApiClient client, ServiceTarget target, CancellationToken ct)
    {
        var replicas = await client.GetAsync<List<ReplicaResource>>($"{ApiPaths.Replicas}?deployment={Uri.EscapeDataString(target.Deployment)}&service={Uri.EscapeDataString(target.Service)}", ct);
        return replicas.Where(r => r.State == ReplicaState.Running).OrderBy(r => r.Index).Select(r => r.Replica).FirstOrDefault();
    }
}
