using System.CommandLine;
using ZLayer.Cli.Terminal;
using ZLayer.Spec.Loading;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer validate</c>: every problem of a spec at once, with its place; exit 0 when valid.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var input = new SpecInput();
        var strict = new Option<bool>("--strict") { Description = "Treat compatibility forms as errors" };
        var output = OutputOption.Create("text", "text", "json");
        var command = new Command("validate", "Check a spec or compose file and report every problem with its file:line:col");
        input.AddTo(command);
        command.Options.Add(strict);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            if (!input.TryResolveFiles(parse, out var files, out var error))
            {
                return Usage.Fail(error);
            }

            var result = SpecLoader.LoadFiles(files, input.Options(parse, parse.GetValue(strict)));
            if (parse.GetValue(output) == "json")
            {
                Console.Out.WriteLine(DiagnosticPrinter.ToJson(result).ToJsonString(DiagnosticPrinter.Indented));
            }
            else
            {
                var style = ConsoleStyle.ForStdout();
                DiagnosticPrinter.WriteText(Console.Out, style, result.Diagnostics);
                var summary = DiagnosticPrinter.Summary(result);
                Console.Out.WriteLine(result.Succeeded ? style.Green(summary) : style.Red(summary));
            }

            return result.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
