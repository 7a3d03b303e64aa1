using System.CommandLine;
using System.Text.Json;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Control.Api;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer status</c>: every deployment, and per service the desired, running and healthy counts.</summary>
public static class StatusCommand
{
    /// <summary>The CLI's JSON is snake_case, like the spec itself; the API's is camelCase, like the store.</summary>
    public static readonly JsonSerializerOptions SnakeCase = new(Client.ClientJson.Options)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    public static Command Create()
    {
        var output = OutputOption.Create("table", "table", "json");
        var command = new Command("status", "Show deployments and, per service, desired, running and healthy replicas");
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var deployments = await client.GetAsync<List<DeploymentView>>(ApiPaths.Deployments, ct);
                if (parse.GetValue(output) == "json")
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(deployments, SnakeCase));
                    return ExitCodes.Success;
                }

                var style = ConsoleStyle.ForStdout();
                if (deployments.Count == 0)
                {
                    Console.Out.WriteLine("no deployments (deploy one with `zlayer deploy`)");
                    return ExitCodes.Success;
                }

                var now = DateTimeOffset.UtcNow;
                foreach (var (d, i) in deployments.Select((d, i) => (d, i)))
                {
                    if (i > 0)
                    {
                        Console.Out.WriteLine();
                    }

                    Console.Out.WriteLine($"{style.Bold(d.Name)}  {Status(style, d.Status)}  generation {d.Generation}, deployed {Ages.Since(d.UpdatedAt, now)} ago by {d.DeployedBy}");
                    var table = new TextTable("SERVICE", "TYPE", "DESIRED", "RUNNING", "HEALTHY", "ENDPOINTS");
                    foreach (var s in d.Services)
                    {
                        var healthy = s.Healthy.ToString();
                        table.Add(
                            s.Name,
                            s.Rtype,
                            s.Desired.ToString(),
                            s.Running.ToString(),
                            s.Healthy >= s.Desired ? style.Green(healthy) : style.Yellow(healthy),
                            s.Endpoints.Count == 0 ? "-" : string.Join(", ", s.Endpoints));
                    }

                    table.Write(Console.Out, style, "  ");
                }

                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static string Status(ConsoleStyle style, string status) => status switch
    {
        "healthy" => style.Green(status),
        "degraded" => style.Red(status),
        _ => style.Yellow(status),
    };
}
