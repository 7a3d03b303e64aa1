using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Api;
using ZLayer.Server.Auth;

namespace ZLayer.Server;

/// <summary>Deployments and their services: deploy (create or update), read, remove, scale.</summary>
public static class DeploymentRoutes
{
    private const string DefaultSource = "request.yaml";

    public static RouteGroupBuilder MapDeploymentRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/deployments", async (ControlPlane control, CancellationToken ct) =>
            TypedResults.Ok(await control.DeploymentsAsync(ct)))
            .WithName("ListDeployments")
            .WithSummary("All deployments, with their services and replica counts");

        api.MapPost("/deployments", DeployAsync)
            .WithName("Deploy")
            .WithSummary("Create or update a deployment from a ZLayer v1 spec (raw YAML, or a JSON DeployRequest)")
            .DescribesBody<DeployRequest>(textContentType: "application/yaml")
            .Produces<DeployResponse>(StatusCodes.Status200OK)
            .Produces<DeployResponse>(StatusCodes.Status201Created)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status415UnsupportedMediaType, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status422UnprocessableEntity, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);

        api.MapGet("/deployments/{name}", async (string name, ControlPlane control, CancellationToken ct) =>
            TypedResults.Ok(await control.DeploymentAsync(RouteNames.Deployment(name), ct) ?? throw NoDeployment(name)))
            .WithName("GetDeployment")
            .WithSummary("One deployment, with its services")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapGet("/deployments/{name}/spec", async (string name, ControlPlane control, CancellationToken ct) =>
            TypedResults.Ok(await control.DeploymentRecordAsync(RouteNames.Deployment(name), ct) ?? throw NoDeployment(name)))
            .WithName("GetDeploymentSpec")
            .WithSummary("The stored record of a deployment: the spec as submitted and its generation")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapDelete("/deployments/{name}", async (string name, ControlPlane control, CancellationToken ct) =>
        {
            if (!await control.RemoveDeploymentAsync(RouteNames.Deployment(name), ct))
            {
                throw NoDeployment(name);
            }

            return TypedResults.NoContent();
        })
            .WithName("RemoveDeployment")
            .WithSummary("Remove a deployment; its replicas are stopped")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);

        api.MapGet("/deployments/{name}/services", async (string name, ControlPlane control, CancellationToken ct) =>
            TypedResults.Ok((await control.DeploymentAsync(RouteNames.Deployment(name), ct) ?? throw NoDeployment(name)).Services))
            .WithName("ListServices")
            .WithSummary("The services of a deployment")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapGet("/deployments/{name}/services/{service}", async (string name, string service, ControlPlane control, CancellationToken ct) =>
            TypedResults.Ok(await ServiceAsync(control, name, service, ct)))
            .WithName("GetService")
            .WithSummary("One service of a deployment")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapPost("/deployments/{name}/services/{service}/scale", ScaleAsync)
            .WithName("ScaleService")
            .WithSummary("Set the replica count of a service")
            .DescribesBody<ScaleRequest>()
            .Produces<ScaleResponse>(StatusCodes.Status200OK)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);
        return api;
    }

    private static async Task<IResult> DeployAsync(HttpContext context, ControlPlane control, CancellationToken ct)
    {
        var request = context.Request;
        string spec;
        string source;
        string? deployedBy;
        if (RequestBodies.IsYaml(request))
        {
            // A raw spec, as `curl --data-binary @zlayer.yaml -H 'Content-Type: application/yaml'` sends it.
            spec = await RequestBodies.ReadTextAsync(request, ct);
            source = request.Query["source"].FirstOrDefault() ?? DefaultSource;
            deployedBy = null;
        }
        else if (RequestBodies.IsJson(request))
        {
            var body = await RequestBodies.ReadObjectAsync(request, ct);
            RequestBodies.RejectUnknown(body, "spec", "source", "deployedBy");
            if (!body.TryGetProperty("spec", out var specElement) || specElement.ValueKind == JsonValueKind.Null)
            {
                throw ProblemResults.BadRequest("'spec' is required: the ZLayer v1 spec as a YAML or JSON string", "$.spec");
            }

            spec = specElement.ValueKind switch
            {
                JsonValueKind.String => specElement.GetString()!,

                // JSON is YAML, so a spec sent as an object is loaded from its own text.
                JsonValueKind.Object => specElement.GetRawText(),
                _ => throw ProblemResults.BadRequest($"'spec' must be a string (YAML or JSON text) or an object, not {RequestBodies.Describe(specElement.ValueKind)}", "$.spec"),
            };
            source = RequestBodies.OptionalString(body, "source") ?? DefaultSource;
            deployedBy = RequestBodies.OptionalString(body, "deployedBy");
        }
        else
        {
            throw ProblemResults.UnsupportedMediaType(
                $"send the spec as application/json {{\"spec\": \"...\"}} or as application/yaml (got '{request.ContentType ?? "no Content-Type"}')");
        }

        if (string.IsNullOrWhiteSpace(spec))
        {
            throw ProblemResults.BadRequest("'spec' is empty; a spec needs at least 'version: v1' and 'deployment: NAME'", "$.spec");
        }

        source = CleanSource(source);
        var who = CleanSource(deployedBy ?? Caller(context));
        var outcome = await control.DeployAsync(spec, source, who, ct);
        if (!outcome.Accepted)
        {
            throw ProblemResults.InvalidSpec(source, outcome.Diagnostics);
        }

        var response = new DeployResponse(
            outcome.Deployment!,
            outcome.Generation,
            outcome.Generation == 1,
            outcome.Changes!,
            [.. outcome.Diagnostics.Select(ApiDiagnostic.From)]);
        return response.Created
            ? TypedResults.Created(ApiPaths.Deployment(response.Deployment), response)
            : TypedResults.Ok(response);
    }

    private static async Task<IResult> ScaleAsync(string name, string service, HttpContext context, ControlPlane control, CancellationToken ct)
    {
        var body = await RequestBodies.ReadObjectAsync(context.Request, ct);
        RequestBodies.RejectUnknown(body, "replicas");
        var replicas = RequestBodies.RequiredInt(body, "replicas");
        if (replicas < 0)
        {
            throw ProblemResults.BadRequest($"'replicas' must be 0 or more, not {replicas}", "$.replicas");
        }

        var before = await ServiceAsync(control, name, service, ct);
        try
        {
            await control.ScaleAsync(name, service, replicas, ct);
        }
        catch (InvalidOperationException ex)
        {
            // Jobs and cron services run to completion; a replica count means nothing for them.
            throw ProblemResults.Conflict(ex.Message);
        }

        return TypedResults.Ok(new ScaleResponse(name, service, replicas, before.Desired));
    }

    private static async Task<ServiceView> ServiceAsync(ControlPlane control, string name, string service, CancellationToken ct)
    {
        var deployment = await control.DeploymentAsync(RouteNames.Deployment(name), ct) ?? throw NoDeployment(name);
        return deployment.Services.FirstOrDefault(s => s.Name == RouteNames.Service(service))
            ?? throw ProblemResults.NotFound($"deployment '{name}' has no service '{service}' (it has {string.Join(", ", deployment.Services.Select(s => s.Name))})");
    }

    private static ApiProblemException NoDeployment(string name) => ProblemResults.NotFound($"no deployment '{name}'");

    /// <summary>Local callers come through the Unix socket and have no address; remote ones are named by it and their token's name.</summary>
    private static string Caller(HttpContext context) =>
        context.Connection.RemoteIpAddress is not { } ip ? "api (local socket)"
        : context.Caller() is { TokenId: not null } caller ? $"api {ip} (token '{caller.Name}')"
        : $"api {ip}";

    // Names end up in diagnostics and the event log; control characters would garble a terminal.
    private static string CleanSource(string text)
    {
        var clean = new string([.. text.Where(c => !char.IsControl(c))]).Trim();
        return clean.Length == 0 ? DefaultSource : clean.Length > 255 ? clean[..255] : clean;
    }
}
