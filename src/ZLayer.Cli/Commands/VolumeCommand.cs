using System.CommandLine;
using System.Text.Json;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer volume ls|rm</c>: the node's named volumes, which outlive deployments until removed.</summary>
public static class VolumeCommand
{
    private static readonly JsonSerializerOptions Json = StatusCommand.SnakeCase;

    public static Command Create()
    {
        var command = new Command("volume", "List and remove named volumes");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateRemove());
        return command;
    }

    private static Command CreateList()
    {
        var output = OutputOption.Create("table", "table", "json");
        var command = new Command("ls", "List the node's named volumes");
        command.Aliases.Add("list");
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var volumes = await client.GetAsync<List<VolumeSummary>>(ApiPaths.Volumes, ct);
                if (parse.GetValue(output) == "json")
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(volumes, Json));
                    return ExitCodes.Success;
                }

                var table = new TextTable("NAME", "SIZE", "IN USE", "PATH");
                foreach (var volume in volumes)
                {
                    table.Add(volume.Name, ByteSizes.Format(volume.Bytes), volume.InUse ? "yes" : "no", volume.Path);
                }

                table.Write(Console.Out, ConsoleStyle.ForStdout());
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static Command CreateRemove()
    {
        var names = new Argument<string[]>("NAME") { Description = "Named volumes; one a container mounts is refused", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove named volumes and their content");
        command.Aliases.Add("remove");
        command.Arguments.Add(names);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            client => ClientCommand.RemoveEachAsync(client, parse.GetValue(names)!, ApiPaths.Volume, ct),
            ct));
        return command;
    }
}
