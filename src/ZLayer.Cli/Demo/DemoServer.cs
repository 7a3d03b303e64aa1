using System.Net;
using System.Text;
using System.Text.Json;

namespace ZLayer.Cli.Demo;

/// <summary>
/// A tiny HTTP server the quickstart runs as its web service, so the quickstart needs nothing but
/// this repository: <c>/</c> answers who served the request, <c>/healthz</c> answers 200.
/// </summary>
public static class DemoServer
{
    public static async Task<int> RunAsync(int port, string name, CancellationToken cancellationToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://+:{port}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException ex)
        {
            Console.Error.WriteLine($"demo-server: cannot listen on port {port}: {ex.Message}");
            return ExitCodes.Failure;
        }

        Console.Out.WriteLine($"demo-server {name} listening on :{port}");
        using var registration = cancellationToken.Register(listener.Abort);
        var served = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;
            }

            var count = Interlocked.Increment(ref served);
            _ = Task.Run(() => Answer(context, name, count), CancellationToken.None);
        }

        Console.Out.WriteLine($"demo-server {name} stopped after {served} requests");
        return ExitCodes.Success;
    }

    private static void Answer(HttpListenerContext context, string name, long count)
    {
        using var response = context.Response;
        var path = context.Request.Url?.AbsolutePath ?? "/";
        byte[] body;
        if (path == "/healthz")
        {
            body = "ok\n"u8.ToArray();
            response.ContentType = "text/plain";
        }
        else if (path == "/")
        {
            body = JsonSerializer.SerializeToUtf8Bytes<Dictionary<string, object>>(new()
            {
                ["served_by"] = name,
                ["pid"] = Environment.ProcessId,
                ["request"] = count,
                ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            });
            response.ContentType = "application/json";
        }
        else
        {
            response.StatusCode = 404;
            body = Encoding.UTF8.GetBytes($"no route for {path}\n");
        }

        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
    }
}
