using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Images;
using ZLayer.Images.Manifests;
using ZLayer.Images.Registry;
using ZLayer.Images.Store;
using ZLayer.Server.Auth;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Server;

/// <summary>
/// This node's images and registry logins: list, inspect, remove and prune stored images; pull,
/// push and import them with progress streamed as NDJSON; log in to and out of registries. Needs
/// the daemon's <see cref="ImageService"/> registered as a service.
/// </summary>
[SupportedOSPlatform("linux")]
public static class ImageRoutes
{
    private static readonly string[] Policies = ["always", "newer", "if_not_present", "never"];

    public static RouteGroupBuilder MapImageRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/images", (ImageService images) =>
            TypedResults.Ok(images.Store.List().Select(ImageSummary.From).ToList()))
            .WithName("ListImages")
            .WithSummary("The images stored on this node");

        api.MapPost("/images/pull", PullAsync)
            .WithName("PullImage")
            .WithSummary("Pull an image; progress streams as one JSON object per line")
            .DescribesBody<ImagePullRequest>()
            .Produces(StatusCodes.Status200OK, contentType: LogRoutes.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);
        api.MapPost("/images/push", PushAsync)
            .WithName("PushImage")
            .WithSummary("Push a stored image to a registry; progress streams as one JSON object per line")
            .DescribesBody<ImagePushRequest>()
            .Produces(StatusCodes.Status200OK, contentType: LogRoutes.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);
        api.MapPost("/images/import", ImportAsync)
            .WithName("ImportImage")
            .WithSummary("Import an OCI or Docker archive from a path on the daemon's host; progress streams as one JSON object per line")
            .DescribesBody<ImageImportRequest>()
            .Produces(StatusCodes.Status200OK, contentType: LogRoutes.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType);

        api.MapPost("/images/prune", (ImageService images, ImageUsage usage) =>
        {
            // Kept: what stored references name, what containers run from (their layers are mounted),
            // and what pulls, imports and pushes under way have pinned themselves.
            var freed = images.Store.Prune(usage.ManifestsInUse());
            return TypedResults.Ok(new ImagePruneResponse(freed.Blobs, freed.BlobBytes, freed.Layers));
        })
            .WithName("PruneImages")
            .WithSummary("Remove blobs and layers no image or replica uses");

        // A catch-all, so a reference is found whether the client escaped its slashes or not.
        api.MapGet("/images/{**reference}", async (string? reference, ImageService images, CancellationToken ct) =>
        {
            var record = Find(images, Decode(reference));
            var configBytes = await images.Store.Blobs.ReadAllBytesAsync(record.ConfigDigest, ct);
            var config = ManifestReader.ReadConfig(configBytes, $"{record.Reference}: config {record.ConfigDigest}");
            using var manifest = JsonDocument.Parse(await images.Store.Blobs.ReadAllBytesAsync(record.ManifestDigest, ct));
            return TypedResults.Ok(new ImageDetails(ImageSummary.From(record), ImageConfigView.From(config), manifest.RootElement.Clone()));
        })
            .WithName("GetImage")
            .WithSummary("One stored image by reference or digest: summary, config and manifest")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapDelete("/images/{**reference}", (string? reference, ImageService images) =>
        {
            var text = Decode(reference);
            var record = Find(images, text);

            // A reference removes only itself; a digest names the content, so every reference to it goes.
            var named = ImageReference.TryParse(text, out var parsed, out _) && parsed.Canonical == record.Reference;
            List<ImageRecord> removing = named ? [record] : [.. images.Store.List().Where(r => r.ManifestDigest == record.ManifestDigest)];
            foreach (var r in removing)
            {
                images.Store.Remove(r.Reference);
            }

            return TypedResults.NoContent();
        })
            .WithName("RemoveImage")
            .WithSummary("Remove a stored image")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, ProblemResults.ContentType);

        api.MapPost("/registries/login", LoginAsync)
            .WithName("RegistryLogin")
            .WithSummary("Check credentials against a registry and store them on this node")
            .DescribesBody<RegistryLoginRequest>()
            .Produces<RegistryLoginResponse>(StatusCodes.Status200OK)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType);

        api.MapDelete("/registries/{host}/login", (string host, ImageService images) =>
        {
            if (!RegistryHost.TryParse(host, out var registry, out var error))
            {
                throw ProblemResults.BadRequest(error, "host");
            }

            return images.Logout(registry)
                ? TypedResults.NoContent()
                : throw ProblemResults.NotFound($"this node has no login for {registry} (a login in Docker's config.json is not zlayer's to remove)");
        })
            .WithName("RegistryLogout")
            .WithSummary("Forget this node's login for a registry")
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);
        return api;
    }

    private static async Task PullAsync(HttpContext context, ImageService images)
    {
        var body = await RequestBodies.ReadObjectAsync(context.Request, context.RequestAborted);
        RequestBodies.RejectUnknown(body, "reference", "policy");
        var reference = Reference(body, "reference", required: true)!;
        var policyText = RequestBodies.OptionalString(body, "policy") ?? "always";
        var policy = policyText switch
        {
            "always" => PullPolicy.Always,
            "newer" => PullPolicy.Newer,
            "if_not_present" => PullPolicy.IfNotPresent,
            "never" => PullPolicy.Never,
            _ => throw ProblemResults.BadRequest($"'policy' must be {string.Join(", ", Policies[..^1])} or {Policies[^1]}, not '{policyText}'", "$.policy"),
        };

        await ImageProgressStream.RunAsync(context, async (progress, ct) =>
        {
            var record = await images.EnsureAsync(reference, policy, progress, ct);
            return new ImageStreamLine(Image: ImageSummary.From(record));
        });
    }

    private static async Task PushAsync(HttpContext context, ImageService images)
    {
        var body = await RequestBodies.ReadObjectAsync(context.Request, context.RequestAborted);
        RequestBodies.RejectUnknown(body, "source", "target");
        var sourceText = RequestBodies.RequiredString(body, "source", "a stored image, by reference or digest");
        var source = Find(images, sourceText, "$.source");
        var target = Reference(body, "target", required: false) ?? ImageReference.Parse(source.Reference);

        await ImageProgressStream.RunAsync(context, async (progress, ct) =>
        {
            await images.PushAsync(source, target, progress, ct);
            return new ImageStreamLine(Image: ImageSummary.From(source with { Reference = target.Canonical }));
        });
    }

    private static async Task ImportAsync(HttpContext context, ImageService images)
    {
        var body = await RequestBodies.ReadObjectAsync(context.Request, context.RequestAborted);
        RequestBodies.RejectUnknown(body, "path", "name");
        var path = RequestBodies.RequiredString(body, "path", "an OCI layout directory or tar, or a docker-archive tar, on the daemon's machine");
        if (!Path.IsPathFullyQualified(path))
        {
            throw ProblemResults.BadRequest($"'{path}' is not an absolute path; the daemon resolves no relative paths (its working directory is not yours)", "$.path");
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw ProblemResults.BadRequest($"'{path}' does not exist on the daemon's machine", "$.path");
        }

        var name = Reference(body, "name", required: false);

        await ImageProgressStream.RunAsync(context, async (progress, ct) =>
        {
            try
            {
                var records = await images.ImportAsync(path, name, progress, ct);
                return new ImageStreamLine(Images: [.. records.Select(ImageSummary.From)]);
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or JsonException or FormatException or InvalidOperationException or UnauthorizedAccessException)
            {
                // The archive itself is at fault (not a tar, a truncated one, a malformed manifest.json) or unreadable.
                var cause = ex switch
                {
                    InvalidDataException or EndOfStreamException => $"not a tar archive, or a truncated one ({ex.Message})",
                    JsonException => $"a JSON document in it is malformed ({ex.Message})",
                    UnauthorizedAccessException => $"the daemon may not read it ({ex.Message})",
                    _ => ex.Message,
                };
                throw new ApiProblemException(new ApiProblem(
                    "urn:zlayer:problem:invalid-image",
                    "The image content is not valid",
                    StatusCodes.Status422UnprocessableEntity,
                    $"import {path}: {cause}"));
            }
        });
    }

    private static async Task<IResult> LoginAsync(HttpContext context, ImageService images, CancellationToken ct)
    {
        var body = await RequestBodies.ReadObjectAsync(context.Request, ct);
        RequestBodies.RejectUnknown(body, "registry", "username", "password");
        var registryText = RequestBodies.RequiredString(body, "registry", "the registry's host, e.g. registry.example.com or localhost:5000");
        if (!RegistryHost.TryParse(registryText, out var registry, out var error))
        {
            throw ProblemResults.BadRequest(error, "$.registry");
        }

        var username = RequestBodies.RequiredString(body, "username", "the user to log in as");
        var password = RequestBodies.RequiredString(body, "password", "the password or access token");
        await images.LoginAsync(registry, new RegistryCredential(username, password), ct);
        return TypedResults.Ok(new RegistryLoginResponse(registry, username));
    }

    private static ImageReference? Reference(JsonElement body, string field, bool required)
    {
        var text = required
            ? RequestBodies.RequiredString(body, field, "an image reference such as busybox, ghcr.io/acme/app:1.2 or repo@sha256:<64 hex>")
            : RequestBodies.OptionalString(body, field);
        if (text is null)
        {
            return null;
        }

        return ImageReference.TryParse(text, out var reference, out var error)
            ? reference
            : throw ProblemResults.BadRequest(error, "$." + field);
    }

    private static string Decode(string? reference) => Uri.UnescapeDataString(reference ?? "");

    /// <summary>A stored image by reference or digest (prefix), or a 400 or 404 that says why there is none.</summary>
    private static ImageRecord Find(ImageService images, string text, string field = "reference")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ProblemResults.BadRequest("name an image by reference (busybox:latest) or by digest (at least 12 hex digits)", field);
        }

        if (images.Store.Resolve(text) is { } found)
        {
            return found;
        }

        var hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        var isHex = hex.Length >= 12 && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
        if (isHex)
        {
            var matches = images.Store.List().Where(r => r.ManifestDigest.Encoded.StartsWith(hex, StringComparison.Ordinal)).Select(r => r.Reference).ToList();
            if (matches.Count > 1)
            {
                throw ProblemResults.BadRequest($"'{text}' is the start of the digests of {matches.Count} different images ({string.Join(", ", matches)}); give more of the digest or a reference", field);
            }
        }
        else if (!ImageReference.TryParse(text, out _, out var error))
        {
            throw ProblemResults.BadRequest(error, field);
        }

        throw ProblemResults.NotFound($"no image '{text}' in this node's store (see `zlayer image ls`)");
    }
}
