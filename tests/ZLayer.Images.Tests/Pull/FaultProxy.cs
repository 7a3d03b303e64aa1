using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ZLayer.Images.Tests.Pull;

/// <summary>What the proxy does to one request instead of passing it through faithfully.</summary>
internal abstract record Fault
{
    /// <summary>Answer this status without asking the registry.</summary>
    public sealed record Status(HttpStatusCode Code) : Fault;

    /// <summary>Send this many body bytes, then go silent (the connection stays open).</summary>
    public sealed record StallAfter(long Bytes) : Fault;

    /// <summary>Send this many body bytes, then drop the connection.</summary>
    public sealed record DropAfter(long Bytes) : Fault;

    /// <summary>Pass the body through with one byte changed.</summary>
    public sealed record Corrupt : Fault;

    /// <summary>Pass the body through, but claim another Docker-Content-Digest.</summary>
    public sealed record WrongDigestHeader(string Digest) : Fault;
}

/// <summary>
/// A reverse proxy in front of a real registry that injects the failures no real registry can be
/// made to produce on demand: 5xx answers, stalls and broken connections mid-blob, corrupted
/// content. Everything else is the registry's own answer, byte for byte.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly CancellationTokenSource _stopping = new();

    private FaultProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    /// <summary>Decides per request (method, path) whether to misbehave; null passes it through.</summary>
    public Func<HttpRequest, Fault?> Rule { get; set; } = _ => null;

    /// <summary>Every request seen, as "METHOD path?query [Range]".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public string Host => $"127.0.0.1:{Port}";

    public int Port { get; private set; }

    public static async Task<FaultProxy> StartAsync(Uri registry)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = registry };
        var proxy = new FaultProxy(app, upstream);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.Port = new Uri(app.Urls.First()).Port;
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue($"{request.Method} {request.Path}{request.QueryString} {request.Headers.Range}".TrimEnd());
        var fault = Rule(request);
        if (fault is Fault.Status status)
        {
            context.Response.StatusCode = (int)status.Code;
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            context.Response.Headers[name] = name.Equals("Location", StringComparison.OrdinalIgnoreCase)
                ? values.Select(v => v.Replace(_upstream.BaseAddress!.Authority, Host, StringComparison.Ordinal)).ToArray()
                : values.ToArray();
        }

        if (fault is Fault.WrongDigestHeader wrong)
        {
            context.Response.Headers["Docker-Content-Digest"] = wrong.Digest;
        }

        await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[8192];
        long sent = 0;
        var corrupted = false;
        int n;
        while ((n = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            var limit = fault switch
            {
                Fault.StallAfter s => s.Bytes,
                Fault.DropAfter d => d.Bytes,
                _ => long.MaxValue,
            };
            var take = (int)Math.Min(n, limit - sent);
            if (fault is Fault.Corrupt && !corrupted && take > 0)
            {
                buffer[0] ^= 0xff;
                corrupted = true;
            }

            if (take > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, take), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                sent += take;
            }

            if (sent >= limit)
            {
                if (fault is Fault.DropAfter)
                {
                    context.Abort();
                    return;
                }

                // Silent until the client gives up or the proxy stops.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
                await Task.Delay(Timeout.Infinite, wait.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
        }
    }
}
