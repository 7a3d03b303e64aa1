using System.CommandLine;
using System.Text.Json.Nodes;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Control.Model;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer ps</c>: the replicas, with their state, health, node, address and ports.</summary>
public static class PsCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all", "-a") { Description = "Include exited and failed replicas" };
        var output = OutputOption.Create("table", "table", "json");
        var deployment = new Argument<string?>("DEPLOYMENT") { Description = "Only this deployment's replicas", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("ps", "List replicas: state, health, node, address and ports");
        command.Arguments.Add(deployment);
        command.Options.Add(all);
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var name = parse.GetValue(deployment);
                var path = name is null ? ApiPaths.Replicas : $"{ApiPaths.Replicas}?deployment={Uri.EscapeDataString(name)}";
                var replicas = (await client.GetAsync<List<ReplicaResource>>(path, ct))
                    .Where(r => parse.GetValue(all) || !IsFinished(r.State))
                    .ToList();
                if (parse.GetValue(output) == "json")
                {
                    Console.Out.WriteLine(new JsonArray([.. replicas.Select(ToJson)]).ToJsonString(DiagnosticPrinter.Indented));
                }
                else
                {
                    WriteTable(replicas);
                }

                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    public static bool IsFinished(ReplicaState state) => state is ReplicaState.Exited or ReplicaState.Failed;

    /// <summary>The JSON shape scripts rely on; every field is present, null when unknown.</summary>
    public static JsonObject ToJson(ReplicaResource r) => new()
    {
        ["replica"] = r.Replica,
        ["deployment"] = r.Deployment,
        ["service"] = r.Service,
        ["index"] = r.Index,
        ["state"] = Kebab(r.State),
        ["health"] = Kebab(r.Health),
        ["node"] = r.Node,
        ["address"] = r.Address,
        ["ports"] = new JsonObject([.. r.Ports.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))]),
        ["restarts"] = r.Restarts,
        ["exit_code"] = r.ExitCode,
        ["message"] = r.Message,
        ["started_at"] = r.StartedAt?.ToString("O"),
        ["up_to_date"] = r.UpToDate,
        ["runtime_id"] = r.RuntimeId,
        ["pid"] = r.Pid,
    };

    /// <summary>An enum as the store and the API spell it (<c>waiting-dependencies</c>).</summary>
    public static string Kebab<T>(T value)
        where T : struct, Enum =>
        System.Text.Json.JsonSerializer.Serialize(value, ClientJson.Options).Trim('"');

    private static void WriteTable(List<ReplicaResource> replicas)
    {
        var style = ConsoleStyle.ForStdout();
        var now = DateTimeOffset.UtcNow;
        var table = new TextTable("REPLICA", "SERVICE", "STATE", "HEALTH", "NODE", "ADDRESS/PORTS", "RESTARTS", "AGE");
        foreach (var r in replicas)
        {
            table.Add(
                r.Replica,
                r.Service,
                State(style, r),
                Health(style, r.Health),
                r.Node,
                Endpoints(r),
                r.Restarts.ToString(),
                Ages.Since(r.StartedAt, now));
        }

        table.Write(Console.Out, style);
    }

    private static string State(ConsoleStyle style, ReplicaResource r)
    {
        var text = Kebab(r.State) + (r.ExitCode is { } code && IsFinished(r.State) ? $" ({code})" : "");
        return r.State switch
        {
            ReplicaState.Running => style.Green(text),
            ReplicaState.Failed or ReplicaState.CrashLoop => style.Red(text),
            ReplicaState.Exited => style.Dim(text),
            _ => style.Yellow(text),
        };
    }

    private static string Health(ConsoleStyle style, HealthState health) => health switch
    {
        HealthState.Healthy => style.Green("healthy"),
        HealthState.Unhealthy => style.Red("unhealthy"),
        _ => Kebab(health),
    };

    /// <summary><c>10.0.0.5 http:8080,admin:9090</c>: the address, then each endpoint's port.</summary>
    private static string Endpoints(ReplicaResource r)
    {
        var ports = string.Join(",", r.Ports.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}"));
        return (r.Address, ports) switch
        {
            (null or "", "") => "-",
            (null or "", _) => ports,
            (_, "") => r.Address!,
            _ => $"{r.Address} {ports}",
        };
    }
}
