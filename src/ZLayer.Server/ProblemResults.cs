using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Api;
using ZLayer.Control.State;
using ZLayer.Control.Store;
using ZLayer.Spec.Diagnostics;

namespace ZLayer.Server;

/// <summary>A request the API refuses with a problem document; thrown by routes, written by <see cref="ProblemResults"/>.</summary>
public sealed class ApiProblemException(ApiProblem problem) : Exception(problem.Detail ?? problem.Title)
{
    public ApiProblem Problem { get; } = problem;
}

/// <summary>
/// Every error the API answers is an RFC 7807 problem document: routes throw
/// <see cref="ApiProblemException"/> or a control-plane exception, and one middleware maps it to a
/// status and a message. Nothing else reaches the client: unexpected exceptions are logged and
/// answered with a generic 500, never with a stack trace.
/// </summary>
public static class ProblemResults
{
    public const string ContentType = "application/problem+json";

    private const string Urn = "urn:zlayer:problem:";

    public static ApiProblemException BadRequest(string detail, string? field = null) =>
        new(new ApiProblem(Urn + "bad-request", "The request is not valid", StatusCodes.Status400BadRequest, detail, Field: field));

    public static ApiProblemException NotFound(string detail) =>
        new(new ApiProblem(Urn + "not-found", "Not found", StatusCodes.Status404NotFound, detail));

    public static ApiProblemException Conflict(string detail) =>
        new(new ApiProblem(Urn + "conflict", "Conflict", StatusCodes.Status409Conflict, detail));

    public static ApiProblemException UnsupportedMediaType(string detail) =>
        new(new ApiProblem(Urn + "unsupported-media-type", "Unsupported media type", StatusCodes.Status415UnsupportedMediaType, detail));

    /// <summary>422 with every diagnostic, so the client prints them as <c>zlayer validate</c> does.</summary>
    public static ApiProblemException InvalidSpec(string source, IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Count(d => d.IsError);
        var warnings = diagnostics.Count - errors;
        var detail = $"{source}: invalid ({Plural(errors, "error")}, {Plural(warnings, "warning")}); the running deployment is unchanged";
        return new(new ApiProblem(
            Urn + "invalid-spec",
            "The spec is invalid",
            StatusCodes.Status422UnprocessableEntity,
            detail,
            Errors: [.. diagnostics.Select(ApiDiagnostic.From)]));
    }

    /// <summary>
    /// A store that cannot write: 507 when the disk is full (the operator must free space), else
    /// 503 (transient, retry). Either way nothing was changed.
    /// </summary>
    public static ApiProblem StoreUnavailable(StoreUnavailableException ex)
    {
        var full = IsDiskFull(ex.Message);
        return full
            ? new ApiProblem(Urn + "store-full", "The state store is out of disk space", StatusCodes.Status507InsufficientStorage, $"{ex.Message}; nothing was changed: free disk space on the daemon's host and retry")
            : new ApiProblem(Urn + "store-unavailable", "The state store is unavailable", StatusCodes.Status503ServiceUnavailable, $"{ex.Message}; nothing was changed: retry shortly");
    }

    public static bool IsDiskFull(string message) =>
        message.Contains("full", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("no space", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("ENOSPC", StringComparison.Ordinal);

    /// <summary>Maps an exception from a route to its problem; null for one that is a bug.</summary>
    public static ApiProblem? ForException(Exception ex) => ex switch
    {
        ApiProblemException p => p.Problem,
        NotFoundException => NotFound(ex.Message).Problem,
        ConcurrencyException => Conflict(ex.Message).Problem,
        StoreUnavailableException s => StoreUnavailable(s),
        BadHttpRequestException b => new ApiProblem(
            Urn + (b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "payload-too-large" : "bad-request"),
            b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "The request is not valid",
            b.StatusCode,
            b.Message),
        _ => ImageProblems.For(ex),
    };

    /// <summary>A problem for a status that a route or the framework set without a body (unknown route, wrong method).</summary>
    public static ApiProblem ForStatus(int status, string method, string path) => status switch
    {
        StatusCodes.Status404NotFound => new ApiProblem(Urn + "not-found", "Not found", status, $"no route {path}"),
        StatusCodes.Status405MethodNotAllowed => new ApiProblem(Urn + "method-not-allowed", "Method not allowed", status, $"{path} does not accept {method}"),
        StatusCodes.Status415UnsupportedMediaType => new ApiProblem(Urn + "unsupported-media-type", "Unsupported media type", status),
        _ => new ApiProblem(Urn + "http-" + status, ReasonPhrases.GetReasonPhrase(status), status),
    };

    public static async Task WriteAsync(HttpContext context, ApiProblem problem)
    {
        var response = context.Response;
        response.StatusCode = problem.Status;
        response.ContentType = ContentType;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = "5";
        }

        var withInstance = problem with { Instance = problem.Instance ?? context.Request.Path.Value };
        await JsonSerializer.SerializeAsync(response.Body, withInstance, StateJson.Options, context.RequestAborted);
    }

    /// <summary>Installs the exception mapping and problem bodies for bare error statuses.</summary>
    public static void UseProblemResponses(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ZLayer.Server.Api");
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; there is nobody to answer.
            }
            catch (Exception ex) when (!context.Response.HasStarted)
            {
                var problem = ForException(ex);
                if (problem is null)
                {
                    logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
                    problem = new ApiProblem(
                        Urn + "internal",
                        "Internal error",
                        StatusCodes.Status500InternalServerError,
                        "the daemon failed to handle this request; its log has the details");
                }
                else if (problem.Status >= 500)
                {
                    logger.LogWarning("{Method} {Path}: {Status} {Detail}", context.Request.Method, context.Request.Path, problem.Status, problem.Detail);
                }

                context.Response.Clear();
                await WriteAsync(context, problem);
            }
        });
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            await WriteAsync(context, ForStatus(context.Response.StatusCode, context.Request.Method, context.Request.Path.Value ?? "/"));
        });
    }

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
