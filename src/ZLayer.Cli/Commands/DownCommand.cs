using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;
using ZLayer.Spec.Loading;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer down [NAME | -f FILE]</c>: removes a deployment; its replicas stop.</summary>
public static class DownCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME")
        {
            Description = "Deployment to remove; default: the deployment of the spec given with -f or found in the current directory",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var input = new SpecInput();
        var command = new Command("down", "Remove a deployment and stop its replicas");
        command.Arguments.Add(name);
        input.AddTo(command, withArgument: false);
        command.SetAction(async (parse, ct) =>
        {
            var deployment = parse.GetValue(name);
            if (deployment is null)
            {
                if (!input.TryResolveFiles(parse, out var files, out var error))
                {
                    return Usage.Fail(error + " (or name the deployment: zlayer down NAME)");
                }

                // Only the name is needed; a spec with errors elsewhere still names its deployment.
                var result = SpecLoader.LoadFiles(files, input.Options(parse));
                deployment = result.Spec?.Deployment;
                if (string.IsNullOrEmpty(deployment))
                {
                    DiagnosticPrinter.WriteText(Console.Error, ConsoleStyle.ForStderr(), result.Diagnostics);
                    return Usage.Fail($"{string.Join(", ", files)} does not name a deployment; name it: zlayer down NAME");
                }
            }
            else if (parse.GetValue<string[]>("--file") is { Length: > 0 })
            {
                return Usage.Fail("give a deployment NAME or -f FILE, not both");
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    await client.DeleteAsync(ApiPaths.Deployment(deployment), ct);
                    Console.Out.WriteLine($"deployment '{deployment}' removed; its replicas are stopping");
                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }
}
