using Microsoft.AspNetCore.Http;

namespace ZLayer.Proxy.Http;

/// <summary>Answers a plain-HTTP request with a permanent redirect to the same host and target on the HTTPS port.</summary>
internal static class HttpsRedirect
{
    public static RequestDelegate To(int httpsPort) => context =>
    {
        var host = context.Request.Host.Host;
        var authority = httpsPort == 443 ? host : $"{host}:{httpsPort}";
        context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = $"https://{authority}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    };
}
