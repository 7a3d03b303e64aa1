using System.Text;
using Microsoft.AspNetCore.Http;

namespace ZLayer.Proxy.Http;

/// <summary>The proxy's own short plain-text answers, when no backend does.</summary>
internal static class ProxyResponses
{
    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            // Part of the backend's answer already went out: the only honest signal left is a broken connection.
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var body = Encoding.UTF8.GetBytes(message + "\n");
        context.Response.ContentLength = body.Length;
        try
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left; nothing more to tell it.
        }
    }
}
