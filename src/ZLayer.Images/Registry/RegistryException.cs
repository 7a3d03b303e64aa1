using System.Net;

namespace ZLayer.Images.Registry;

/// <summary>
/// A registry (or its token endpoint) refused, failed or sent something unusable. The message names
/// the image, the object (manifest or blob digest) and the cause, and never holds a credential.
/// </summary>
public sealed class RegistryException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status that ended the request, when there was one.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>True when another endpoint or a later retry may succeed (connection failures, 5xx, stalls).</summary>
    public bool IsTransient => Status is null or >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
}
