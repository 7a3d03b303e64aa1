using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Tests.Support;

/// <summary>A small Kestrel app on a loopback port that plays a replica behind the proxy.</summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication app;
    private int requests;

    private TestBackend(WebApplication app, string name)
    {
        this.app = app;
        Name = name;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
    }

    public string Name { get; }

    public int Port { get; }

    public int Requests => Volatile.Read(ref requests);

    public BackendAddress Address(bool draining = false) => new("127.0.0.1", Port, Name, draining);

    /// <summary>Starts a backend; without a handler it answers "NAME PATH" with 200.</summary>
    public static async Task<TestBackend> StartAsync(string name, Func<HttpContext, Task>? handler = null, bool webSockets = false)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        TestBackend? self = null;
        if (webSockets)
        {
            app.UseWebSockets();
        }

        app.Run(async context =>
        {
            Interlocked.Increment(ref self!.requests);
            if (handler is not null)
            {
                await handler(context);
                return;
            }

            await context.Response.WriteAsync($"{name} {context.Request.Path}{context.Request.QueryString}");
        });
        await app.StartAsync();
        self = new TestBackend(app, name);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
