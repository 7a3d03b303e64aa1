using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using ZLayer.Proxy.Http1;
using ZLayer.Proxy.Routing;
using ZLayer.Proxy.Tls;

namespace ZLayer.Proxy.Hosting;

/// <summary>
/// A Kestrel server on one port: HTTP/1.1 and HTTP/2 (h2c by prior knowledge in clear, ALPN
/// over TLS with the certificate picked by SNI). Kestrel does the parsing and the refusal of
/// malformed requests; every request goes to <paramref name="handle"/>. With a
/// <paramref name="fastPath"/>, clear-text HTTP/1.1 connections are served by it first, and reach
/// Kestrel only from the first request it does not take.
/// </summary>
internal sealed class HttpListenerHost(PortPlan plan, IReadOnlyList<IPAddress> addresses, NodeProxyOptions options, CertificateStore? certificates, Func<HttpListenerHost, RequestDelegate> handle, Func<HttpListenerHost, Http1FastPath>? fastPath = null) : IListenerHost
{
    /// <summary>How long a client may take to send one request head, on Kestrel and on the fast path alike.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(30);

    private volatile PortPlan plan = plan;
    private WebApplication? app;

    public PortPlan Plan
    {
        get => plan;
        set => plan = value;
    }

    public async Task StartAsync(CancellationToken token)
    {
        var fast = fastPath?.Invoke(this);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        // Request handling is asynchronous from end to end, so running it on the socket's own
        // thread saves a thread-pool hop per read without blocking other connections.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // h2c connections look like TLS to Kestrel (see H2cDetection); their :scheme is http.
            kestrel.AllowAlternateSchemes = true;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersSize;
            kestrel.Limits.KeepAliveTimeout = options.IdleTimeout;
            kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
            foreach (var address in addresses)
            {
                kestrel.Listen(address, plan.Key.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    if (certificates is not null)
                    {
                        listen.UseHttps(https => https.ServerCertificateSelector = (_, name) => certificates.Select(name));
                    }
                    else
                    {
                        listen.Use(next => connection => fast is not null ? fast.OnConnectionAsync(connection, next) : H2cDetection.OnConnectionAsync(connection, next));
                    }
                });
            }
        });

        var built = builder.Build();
        built.Run(handle(this));
        try
        {
            await built.StartAsync(token);
        }
        catch (IOException e)
        {
            await built.DisposeAsync();
            throw new InvalidOperationException($"cannot listen on port {plan.Key.Port}: {e.Message}", e);
        }

        app = built;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(grace.Token);
            await app.DisposeAsync();
        }
    }
}
