using System.Text.Json.Nodes;
using ZLayer.Cli.Terminal;
using ZLayer.Control.Api;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>
/// Follows the output of every service of a deployment, interleaved as it arrives, each line
/// prefixed with its replica (coloured per replica on a terminal), until cancelled.
/// </summary>
public static class DeploymentLogs
{
    public static async Task FollowAsync(ApiClient client, string deployment, CancellationToken ct)
    {
        try
        {
            var view = await client.GetAsync<DeploymentView>(ApiPaths.Deployment(deployment), ct);
            var prefixes = new ReplicaPrefixes(ConsoleStyle.ForStdout());
            var width = view.Services.Count == 0 ? 0 : view.Services.Max(s => ReplicaPrefixes.Width(s.Name, s.Desired));
            await Task.WhenAll(view.Services.Select(s => FollowServiceAsync(client, deployment, s.Name, prefixes, width, ct)));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task FollowServiceAsync(ApiClient client, string deployment, string service, ReplicaPrefixes prefixes, int width, CancellationToken ct)
    {
        try
        {
            var path = ApiPaths.ServiceLogs(deployment, service) + "?follow=true&tail=0";
            await foreach (var line in client.ReadLinesAsync(path, ct))
            {
                if (JsonNode.Parse(line) is not JsonObject record)
                {
                    continue;
                }

                var replica = record["replica"]?.GetValue<string>() ?? service;
                var shortName = replica.StartsWith(deployment + ".", StringComparison.Ordinal) ? replica[(deployment.Length + 1)..] : replica;
                prefixes.Write(shortName, width, record["text"]?.GetValue<string>() ?? "");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ApiProblemException ex)
        {
            // One service's logs failing must not end the others' (or `up`'s attachment).
            Console.Error.WriteLine($"zlayer: logs of {service}: {ex.Problem.Detail ?? ex.Problem.Title}");
        }
    }
}
