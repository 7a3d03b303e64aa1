using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer stats [SERVICE]</c>: CPU and memory of running replicas, once.</summary>
public static class StatsCommand
{
    public static Command Create()
    {
        var service = new Argument<string?>("SERVICE") { Description = "Only this service's replicas (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputOption.Create("table", "table", "json");
        var command = new Command("stats", "Show CPU and memory use of running replicas");
        command.Arguments.Add(service);
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var filter = parse.GetValue(service);
                var stats = (await client.GetAsync<List<ReplicaStats>>(ApiPaths.Stats, ct))
                    .Where(s => filter is null || s.Service == filter)
                    .ToList();
                if (parse.GetValue(output) == "json")
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(stats, StatusCommand.SnakeCase));
                    return ExitCodes.Success;
                }

                var table = new TextTable("REPLICA", "CPU %", "MEMORY", "LIMIT");
                foreach (var s in stats)
                {
                    table.Add(s.Replica, s.CpuPercent.ToString("0.0", CultureInfo.InvariantCulture), ByteSizes.Format(s.MemoryBytes), s.MemoryLimitBytes is { } limit ? ByteSizes.Format(limit) : "-");
                }

                table.Write(Console.Out, ConsoleStyle.ForStdout());
                return ExitCodes.Success;
            },
            ct));
        return command;
    }
}
