using System.Net;

namespace ZLayer.TestImages.Registry;

/// <summary>A push step the registry (or its token server) refused, with what it answered.</summary>
public sealed class RegistryUploadException : Exception
{
    public RegistryUploadException(string message, HttpStatusCode? statusCode = null, string? body = null)
        : base(body is null ? message : $"{message}: {body}")
    {
        StatusCode = statusCode;
        Body = body;
    }

    public HttpStatusCode? StatusCode { get; }

    public string? Body { get; }
}
