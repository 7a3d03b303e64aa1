using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace ZLayer.Server;

/// <summary>
/// The API describes itself: an OpenAPI 3 document generated from the routes' endpoint metadata
/// (so a route the daemon adds is described as soon as it is mapped), and Swagger UI over it,
/// served from the assets embedded in its package so it works without Internet access.
/// </summary>
public static class ApiDocumentation
{
    public const string DocumentPath = "/api-docs/openapi.json";

    public const string UiPath = "/swagger";

    private const string Title = "ZLayer API";

    /// <summary>Any route of the API answers 503 (or 507) with a problem document when the state store cannot serve it.</summary>
    public static readonly ProducesResponseTypeMetadata StoreUnavailable =
        new(StatusCodes.Status503ServiceUnavailable, typeof(ApiProblem), [ProblemResults.ContentType]);

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        // AddOpenApi registers the endpoint ApiExplorer too, which CreateSlimBuilder leaves out.
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = Title,
                Version = "v1",
                Description = "The zlayer daemon's API. Errors are RFC 7807 problem documents (application/problem+json). " +
                    "Streams: Server-Sent Events on GET /api/v1/events (Accept: text/event-stream) and a WebSocket on /api/v1/ws; see docs/api.md.",
            };
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>
    /// Describes a route's request body in the document only. The handlers read and check their
    /// bodies themselves, with errors that name the field or the media types they take; Accepts
    /// metadata would make routing answer a bare 415 before them.
    /// </summary>
    /// <param name="textContentType">A media type taking the body as plain text (a raw YAML spec), if any.</param>
    public static RouteHandlerBuilder DescribesBody<T>(this RouteHandlerBuilder route, string? textContentType = null) =>
        route.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct) },
            };
            if (textContentType is not null)
            {
                content[textContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
        });

    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder app)
    {
        // Reading the description needs no credentials: it holds no data, only the routes' shapes.
        app.MapOpenApi(DocumentPath).AllowAnonymous();

        // Swagger UI is middleware; run as an endpoint it gets the routing metadata (anonymous
        // access) that the authentication middleware reads, instead of running ahead of it.
        var ui = app.CreateApplicationBuilder()
            .UseSwaggerUI(options =>
            {
                options.RoutePrefix = UiPath.TrimStart('/');
                options.DocumentTitle = Title;
                options.SwaggerEndpoint(DocumentPath, Title + " v1");
            })
            .Build();
        app.MapGet(UiPath, ui).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(UiPath + "/{**asset}", ui).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
