using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Control.Model;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer job run|ls|logs</c>: trigger runs of job and cron services and read how they went.</summary>
public static class JobCommand
{
    /// <summary>How often <c>job run --wait</c> looks at the run.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create()
    {
        var command = new Command("job", "Run job services and list their runs");
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateLogs());
        return command;
    }

    private static Option<string?> DeploymentOption() =>
        new("--deployment", "-d") { Description = "Deployment of the service (default: the one deployment that has it)" };

    private static Command CreateRun()
    {
        var name = new Argument<string>("SERVICE") { Description = "A job service (rtype: job or cron)" };
        var deployment = DeploymentOption();
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the run to end, print its output, and exit 0 only if it succeeded" };
        var command = new Command("run", "Start a run of a job service");
        command.Arguments.Add(name);
        command.Options.Add(deployment);
        command.Options.Add(wait);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var (target, exit) = await ServiceTargets.ResolveAsync(client, parse.GetValue(name)!, parse.GetValue(deployment), allowReplica: false, ct);
                if (target is null)
                {
                    return exit;
                }

                var run = await client.PostAsync<JobExecution>(ApiPaths.Jobs(target.Deployment, target.Service), new { }, ct);
                Console.Error.WriteLine($"{target.Deployment}/{target.Service}: run {run.Number} started");
                if (!parse.GetValue(wait))
                {
                    Console.Out.WriteLine(run.Number.ToString(CultureInfo.InvariantCulture));
                    return ExitCodes.Success;
                }

                var path = ApiPaths.Job(target.Deployment, target.Service, run.Number);
                while (!run.IsFinished)
                {
                    await Task.Delay(PollInterval, ct);
                    run = await client.GetAsync<JobExecution>(path, ct);
                }

                Console.Out.Write(await client.GetTextAsync(ApiPaths.JobLogs(target.Deployment, target.Service, run.Number), ct));
                Console.Error.WriteLine($"{target.Deployment}/{target.Service}: run {run.Number} {Outcome(run)}");
                return run.State == "succeeded" ? ExitCodes.Success : ExitCodes.Failure;
            },
            ct));
        return command;
    }

    private static Command CreateList()
    {
        var name = new Argument<string?>("SERVICE") { Description = "Only this service's runs", Arity = ArgumentArity.ZeroOrOne };
        var deployment = DeploymentOption();
        var output = OutputOption.Create("table", "table", "json");
        var command = new Command("ls", "List the runs of job and cron services, newest first");
        command.Arguments.Add(name);
        command.Options.Add(deployment);
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                List<JobExecution> runs;
                if (parse.GetValue(name) is { } service)
                {
                    var (target, exit) = await ServiceTargets.ResolveAsync(client, service, parse.GetValue(deployment), allowReplica: false, ct);
                    if (target is null)
                    {
                        return exit;
                    }

                    runs = await client.GetAsync<List<JobExecution>>(ApiPaths.Jobs(target.Deployment, target.Service), ct);
                }
                else
                {
                    runs = await client.GetAsync<List<JobExecution>>(ApiPaths.AllJobs, ct);
                    if (parse.GetValue(deployment) is { } only)
                    {
                        runs = [.. runs.Where(r => r.Deployment == only)];
                    }
                }

                runs = [.. runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Number)];
                if (parse.GetValue(output) == "json")
                {
                    Console.Out.WriteLine(new JsonArray([.. runs.Select(ToJson)]).ToJsonString(DiagnosticPrinter.Indented));
                    return ExitCodes.Success;
                }

                var style = ConsoleStyle.ForStdout();
                var now = DateTimeOffset.UtcNow;
                var table = new TextTable("DEPLOYMENT", "SERVICE", "RUN", "TRIGGER", "STATE", "EXIT", "STARTED", "DURATION");
                foreach (var r in runs)
                {
                    table.Add(
                        r.Deployment,
                        r.Service,
                        r.Number.ToString(CultureInfo.InvariantCulture),
                        r.Trigger,
                        State(style, r.State),
                        r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        Ages.Since(r.CreatedAt, now) + " ago",
                        r.FinishedAt is { } end ? Ages.Since(r.CreatedAt, end) : "-");
                }

                table.Write(Console.Out, style);
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static Command CreateLogs()
    {
        var name = new Argument<string>("SERVICE") { Description = "A job service" };
        var number = new Argument<int?>("RUN") { Description = "The run (default: the latest that ended)", Arity = ArgumentArity.ZeroOrOne };
        var deployment = DeploymentOption();
        var command = new Command("logs", "Print the output of a run that ended");
        command.Arguments.Add(name);
        command.Arguments.Add(number);
        command.Options.Add(deployment);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var (target, exit) = await ServiceTargets.ResolveAsync(client, parse.GetValue(name)!, parse.GetValue(deployment), allowReplica: false, ct);
                if (target is null)
                {
                    return exit;
                }

                var run = parse.GetValue(number);
                if (run is null)
                {
                    var runs = await client.GetAsync<List<JobExecution>>(ApiPaths.Jobs(target.Deployment, target.Service), ct);
                    run = runs.Where(r => r.IsFinished && r.State != "skipped").Select(r => (int?)r.Number).Max();
                    if (run is null)
                    {
                        Console.Error.WriteLine($"zlayer: {target.Deployment}/{target.Service} has no run that ended yet (see `zlayer job ls {target.Service}`)");
                        return ExitCodes.Failure;
                    }
                }

                Console.Out.Write(await client.GetTextAsync(ApiPaths.JobLogs(target.Deployment, target.Service, run.Value), ct));
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    /// <summary>The JSON shape scripts rely on, in the same spelling as <c>zlayer ps -o json</c>.</summary>
    private static JsonObject ToJson(JobExecution r) => new()
    {
        ["deployment"] = r.Deployment,
        ["service"] = r.Service,
        ["run"] = r.Number,
        ["trigger"] = r.Trigger,
        ["state"] = r.State,
        ["exit_code"] = r.ExitCode,
        ["message"] = r.Message,
        ["created_at"] = r.CreatedAt.ToString("O"),
        ["finished_at"] = r.FinishedAt?.ToString("O"),
    };

    private static string Outcome(JobExecution r) =>
        r.State + (r.ExitCode is { } code ? $" (exit code {code})" : "") + (r.Message is { } m ? $": {m}" : "");

    private static string State(ConsoleStyle style, string state) => state switch
    {
        "succeeded" => style.Green(state),
        "failed" => style.Red(state),
        "skipped" => style.Dim(state),
        _ => style.Yellow(state),
    };
}
