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

/// <summary>
/// <c>zlayer inspect NAME</c>: everything known of a deployment, or of one service (its status,
/// replicas and the autoscaler's latest decisions), as JSON or YAML.
/// </summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Deployment name, or a service name" };
        var deploymentOption = new Option<string?>("--deployment", "-d") { Description = "Inspect service NAME of this deployment" };
        var output = OutputOption.Create("json", "json", "yaml");
        var command = new Command("inspect", "Show a deployment's or a service's status, replicas, scaling decisions and spec as JSON or YAML");
        command.Arguments.Add(name);
        command.Options.Add(deploymentOption);
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var deployment = parse.GetValue(name)!;
                var within = parse.GetValue(deploymentOption);
                var deployments = await client.GetAsync<List<DeploymentView>>(ApiPaths.Deployments, ct);
                if (within is null && !deployments.Any(d => d.Name == deployment || d.Services.Any(s => s.Name == deployment)))
                {
                    Console.Error.WriteLine($"zlayer: no deployment or service named '{deployment}' (see `zlayer status`)");
                    return ExitCodes.Failure;
                }

                if (within is not null || !deployments.Any(d => d.Name == deployment))
                {
                    return await InspectServiceAsync(client, deployment, within, parse.GetValue(output) == "yaml", ct);
                }

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

    /// <summary>One service: its view (with the autoscaler's decisions, newest last), deployment and replicas.</summary>
    private static async Task<int> InspectServiceAsync(ApiClient client, string service, string? deployment, bool yaml, CancellationToken ct)
    {
        var (target, exit) = await ServiceTargets.ResolveAsync(client, service, deployment, allowReplica: false, ct);
        if (target is null)
        {
            return exit;
        }

        var view = await client.GetAsync<ServiceView>(ApiPaths.Service(target.Deployment, target.Service), ct);
        var replicas = await client.GetAsync<List<ReplicaResource>>(
            $"{ApiPaths.Replicas}?deployment={Uri.EscapeDataString(target.Deployment)}&service={Uri.EscapeDataString(target.Service)}", ct);
        var document = JsonSerializer.SerializeToNode(view, StatusCommand.SnakeCase)!.AsObject();
        document.Insert(0, "deployment", target.Deployment);
        document["replicas"] = new JsonArray([.. replicas.Select(PsCommand.ToJson)]);
        Console.Out.Write(yaml ? SpecYaml.FromJson(document) : document.ToJsonString(StatusCommand.SnakeCase) + Environment.NewLine);
        return ExitCodes.Success;
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
