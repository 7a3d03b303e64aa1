using System.CommandLine;
using ZLayer.Cli.Terminal;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Output;
using ZLayer.Spec.Schema;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer spec dump|schema</c>: the normalised model, and a JSON Schema for editors.</summary>
public static class SpecCommand
{
    public static Command Create()
    {
        var command = new Command("spec", "Show the normalised model of a spec, or the JSON Schema of the format");
        command.Subcommands.Add(CreateDump());
        command.Subcommands.Add(CreateSchema());
        return command;
    }

    private static Command CreateDump()
    {
        var input = new SpecInput();
        var output = OutputOption.Create("yaml", "yaml", "json");
        var command = new Command("dump", "Print the normalised model (compose input included) as YAML or JSON");
        input.AddTo(command);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            if (!input.TryResolveFiles(parse, out var files, out var error))
            {
                return Usage.Fail(error);
            }

            var result = SpecLoader.LoadFiles(files, input.Options(parse));
            DiagnosticPrinter.WriteText(Console.Error, ConsoleStyle.ForStderr(), result.Diagnostics);
            if (!result.Succeeded)
            {
                Console.Error.WriteLine(DiagnosticPrinter.Summary(result));
                return ExitCodes.Failure;
            }

            Console.Out.Write(parse.GetValue(output) == "json"
                ? SpecJson.Serialize(result.Spec!) + Environment.NewLine
                : SpecYaml.Serialize(result.Spec!));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateSchema()
    {
        var command = new Command("schema", "Print a JSON Schema (draft 2020-12) of the ZLayer v1 format for editors");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine(SpecSchema.Generate().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        });
        return command;
    }
}
