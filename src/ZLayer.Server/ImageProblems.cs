using System.Net;
using Microsoft.AspNetCore.Http;
using ZLayer.Images.Content;
using ZLayer.Images.Layers;
using ZLayer.Images.Manifests;
using ZLayer.Images.Pull;
using ZLayer.Images.Registry;

namespace ZLayer.Server;

/// <summary>
/// The image library's failures as problem documents. Their messages already name the image, the
/// blob or file and the cause, so they become the detail unchanged; the status says whose fault it
/// is: the registry's (502), a refused login (401), content that is not a valid image (422).
/// </summary>
public static class ImageProblems
{
    private const string Urn = "urn:zlayer:problem:";

    /// <summary>The problem for an image or registry failure; null for any other exception.</summary>
    public static ApiProblem? For(Exception ex) => ex switch
    {
        ImagePullException { InnerException: RegistryException r } => FromRegistry(ex.Message, r.Status),
        ImagePullException => new ApiProblem(Urn + "image-unavailable", "The image cannot be had", StatusCodes.Status422UnprocessableEntity, ex.Message),
        RegistryException r => FromRegistry(ex.Message, r.Status),
        ManifestException or LayerException or BlobVerificationException =>
            new ApiProblem(Urn + "invalid-image", "The image content is not valid", StatusCodes.Status422UnprocessableEntity, ex.Message),
        BlobNotFoundException =>
            new ApiProblem(Urn + "image-incomplete", "The stored image is incomplete", StatusCodes.Status409Conflict, $"{ex.Message}; pull or import the image again"),
        RegistrySettingsException =>
            new ApiProblem(Urn + "registry-settings", "The node's registry settings cannot be used", StatusCodes.Status500InternalServerError, ex.Message),
        _ => null,
    };

    private static ApiProblem FromRegistry(string message, HttpStatusCode? status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
            new ApiProblem(Urn + "registry-unauthorized", "The registry refused the credentials", StatusCodes.Status401Unauthorized, message),
        HttpStatusCode.NotFound =>
            new ApiProblem(Urn + "not-found", "Not found", StatusCodes.Status404NotFound, message),
        _ => new ApiProblem(Urn + "registry-failed", "The registry failed", StatusCodes.Status502BadGateway, message),
    };
}
