using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Cli.Client;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Server;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Output;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer inspect NAME</c>: everything known of a deployment, as JSON or YAML.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Deployment name" };
        var output = OutputOption.Create("json", "json", "yaml");
        var command = new Command("inspect", "Show a deployment's status, replicas and stored spec as JSON or YAML");
        command.Arguments.Add(name);
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var deployment = parse.GetValue(name)!;
                var record = await client.GetAsync<DeploymentRecord>(ApiPaths.DeploymentSpec(deployment), ct);
                var view = await client.GetAsync<DeploymentView>(ApiPaths.Deployment(deployment), ct);
                var replicas = await client.GetAsync<List<ReplicaResource>>($"{ApiPaths.Replicas}?deployment={Uri.EscapeDataString(deployment)}", ct);
                var document = new JsonObject
                {
                    ["name"] = view.Name,
                    ["generation"] = view.Generation,
                    ["status"] = view.Status,
                    ["created_at"] = view.CreatedAt.ToString("O"),
                    ["updated_at"] = view.UpdatedAt.ToString("O"),
                    ["deployed_by"] = view.DeployedBy,
                    ["services"] = JsonSerializer.SerializeToNode(view.Services, StatusCommand.SnakeCase),
                    ["replicas"] = new JsonArray([.. replicas.Select(PsCommand.ToJson)]),
                    ["spec"] = StoredSpec(record),
                };
                Console.Out.Write(parse.GetValue(output) == "yaml"
                    ? SpecYaml.FromJson(document)
                    : document.ToJsonString(StatusCommand.SnakeCase) + Environment.NewLine);
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    /// <summary>
    /// The stored spec as a structured value (normalised, in the spec's own key names), so that
    /// JSON and YAML readers get fields rather than a block of text; the text itself if it no
    /// longer loads with this client's version.
    /// </summary>
    private static JsonNode? StoredSpec(DeploymentRecord record)
    {
        var loaded = SpecLoader.LoadText(record.Spec, record.Name, new LoadOptions { Format = SpecFormat.ZLayer });
        return loaded.Spec is { } spec ? JsonNode.Parse(SpecJson.Serialize(spec, indented: false)) : JsonValue.Create(record.Spec);
    }
}
