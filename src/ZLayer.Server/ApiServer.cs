using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Api;
using ZLayer.Control.State;
using ZLayer.Server.ApiSocket;
using ZLayer.Server.Auth;
using ZLayer.Server.Dashboard;
using ZLayer.Server.Metrics;

namespace ZLayer.Server;

/// <summary>
/// The daemon's HTTP API on Kestrel: a Unix socket for the local CLI and a TCP port for remote
/// clients. The daemon composition builds it, adds its own routes, and runs it beside the loops.
/// </summary>
public static class ApiServer
{
    /// <summary>
    /// Builds the API. <paramref name="configure"/> may register services or logging before the
    /// app is built; <paramref name="mapRoutes"/> adds routes under <c>/api/v1</c> (logs, exec,
    /// restart, jobs, images) that share the problem-details handling of the built-in ones.
    /// </summary>
    public static WebApplication Build(
        ApiServerOptions options,
        ControlPlane control,
        Action<WebApplicationBuilder>? configure = null,
        Action<RouteGroupBuilder>? mapRoutes = null)
    {
        if (options.SocketPath is null && options.TcpEndpoint is null)
        {
            throw new ArgumentException("the API needs a Unix socket, a TCP endpoint, or both", nameof(options));
        }

        // Every TCP request is authenticated; only the socket, whose mode is its credential, may go without.
        if (options.TcpEndpoint is not null && options.Security is null)
        {
            throw new ArgumentException("a TCP listener needs ApiServerOptions.Security (signing key, token ledger)", nameof(options));
        }

        // Here rather than when Kestrel binds, so that a second daemon fails at once with a
        // clear message, before anything else of the daemon has started.
        if (options.SocketPath is { } socketPath)
        {
            PrepareSocketPath(socketPath);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "zlayer",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Services.AddSingleton(control);
        builder.Services.AddPrometheusMetrics();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            // The API writes what the store holds, in the same shape (camelCase, kebab-case enums).
            var s = json.SerializerOptions;
            s.PropertyNamingPolicy = StateJson.Options.PropertyNamingPolicy;
            s.DefaultIgnoreCondition = StateJson.Options.DefaultIgnoreCondition;
            foreach (var converter in StateJson.Options.Converters)
            {
                s.Converters.Add(converter);
            }
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (options.SocketPath is { } socket)
            {
                kestrel.ListenUnixSocket(socket);
            }

            if (options.TcpEndpoint is { } tcp)
            {
                kestrel.Listen(tcp, listen => options.Security!.ConfigureListener(listen));
            }
        });
        options.Security?.AddServices(builder.Services);
        builder.Services.AddApiDocumentation();
        configure?.Invoke(builder);

        var app = builder.Build();
        if (options.SocketPath is { } path)
        {
            // Kestrel creates the socket with the process umask; tighten it once it exists, and
            // remove it on a clean stop so the next client gets "no daemon running", not a hang.
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, options.SocketMode);
                }
            });
            app.Lifetime.ApplicationStopped.Register(() => TryDelete(path));
        }

        app.UseProblemResponses();
        app.UseWebSockets();
        options.Security?.UseMiddleware(app);
        app.MapHealthRoutes();
        app.MapDashboard();
        app.MapMetricsRoute();
        var api = app.MapGroup(ApiPaths.V1);
        if (options.Security is not null)
        {
            api.MapTokenRoutes();
        }

        api.WithMetadata(ApiDocumentation.StoreUnavailable);
        api.MapDeploymentRoutes();
        api.MapReplicaRoutes();
        api.MapEventRoutes();
        api.MapSocketRoutes();
        mapRoutes?.Invoke(api);
        app.MapApiDocumentation();
        return app;
    }

    /// <summary>The addresses the server listens on once started (with the real port when 0 was asked).</summary>
    public static IReadOnlyCollection<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>
    /// Creates the socket's directory and clears a socket left by a daemon that died; refuses to
    /// take over a socket another daemon still answers on, or a path that is not a socket.
    /// </summary>
    private static void PrepareSocketPath(string socket)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(socket))!;
        if (!Directory.Exists(directory) && !OperatingSystem.IsWindows())
        {
            // Only the owner needs to list it; clients reach the socket through the execute bit.
            Directory.CreateDirectory(
                directory,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var info = new FileInfo(socket);
        if (!info.Exists)
        {
            return;
        }

        if (info.Length > 0)
        {
            throw new IOException($"{socket} exists and is not a socket; remove it or choose another path");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(socket));
                throw new IOException($"another zlayer daemon is already listening on {socket}");
            }
            catch (SocketException)
            {
                // Nobody answers: the socket of a daemon that did not stop cleanly.
            }
        }

        File.Delete(socket);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: PrepareSocketPath clears a stale socket on the next start anyway.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
