using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;
using ZLayer.Spec.Values;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer deploy</c>: validates on the client (the same report as <c>zlayer validate</c>),
/// resolves <c>$E:</c> references in the caller's environment, sends the spec to the daemon,
/// prints what changed, and with <c>--wait</c> waits until every service is healthy.
/// </summary>
public static class DeployCommand
{
    public static Command Create()
    {
        var input = new SpecInput();
        var wait = new Option<bool>("--wait") { Description = "Wait until every service has as many healthy replicas as desired" };
        var timeout = new Option<string>("--timeout")
        {
            Description = "How long --wait waits, e.g. 90s or 10m (default 5m)",
            DefaultValueFactory = _ => "5m",
        };
        var envFrom = new Option<string>("--env-from")
        {
            Description = "Where $E: references are resolved: client (this shell's environment, default) or daemon (the daemon's, at start)",
            DefaultValueFactory = _ => "client",
        };
        envFrom.AcceptOnlyFromAmong("client", "daemon");
        var command = new Command("deploy", "Validate a spec and deploy it to the daemon (create or update)");
        input.AddTo(command);
        command.Options.Add(wait);
        command.Options.Add(timeout);
        command.Options.Add(envFrom);
        command.SetAction(async (parse, ct) =>
        {
            if (!Duration.TryParse(parse.GetValue(timeout)!, out var deadline, out var timeoutError))
            {
                return Usage.Fail($"--timeout: {timeoutError}");
            }

            if (!input.TryResolveFiles(parse, out var files, out var error))
            {
                return Usage.Fail(error);
            }

            var prepared = SpecSubmission.Prepare(files, input.Options(parse), parse.GetValue(envFrom) == "client");
            if (prepared is null)
            {
                return ExitCodes.Failure;
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    var request = new DeployRequest(prepared.Text, prepared.Source, $"{Environment.UserName}@{Environment.MachineName}");
                    var response = await client.PostAsync<DeployResponse>(ApiPaths.Deployments, request, ct);
                    PrintChanges(response);
                    if (!parse.GetValue(wait))
                    {
                        return ExitCodes.Success;
                    }

                    switch (await new DeploymentProgress(client, response.Deployment).WaitAsync(deadline.Value, ct))
                    {
                        case WaitOutcome.Healthy:
                            return ExitCodes.Success;
                        case WaitOutcome.Cancelled:
                            Console.Error.WriteLine($"zlayer: stopped waiting; deployment '{response.Deployment}' goes on in the background");
                            return ExitCodes.Failure;
                        default:
                            return ExitCodes.Failure;
                    }
                },
                ct);
        });
        return command;
    }

    public static void PrintChanges(DeployResponse response)
    {
        var style = ConsoleStyle.ForStdout();
        var c = response.Changes;
        var verb = response.Created ? "created" : c.Added.Count + c.Changed.Count + c.Removed.Count == 0 ? "unchanged" : "updated";
        Console.Out.WriteLine($"deployment '{response.Deployment}' {style.Bold(verb)} (generation {response.Generation})");
        Line("added", c.Added, style.Green);
        Line("changed", c.Changed, style.Yellow);
        Line("removed", c.Removed, style.Red);
        Line("unchanged", c.Unchanged, style.Dim);

        static void Line(string label, IReadOnlyList<string> services, Func<string, string> colour)
        {
            if (services.Count > 0)
            {
                Console.Out.WriteLine($"  {colour(label.PadRight(10))} {string.Join(", ", services)}");
            }
        }
    }
}
