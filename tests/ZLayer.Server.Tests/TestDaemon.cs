using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Api;
using ZLayer.Control.State;
using ZLayer.Images;

namespace ZLayer.Server.Tests;

/// <summary>
/// The real <see cref="ApiServer"/> on a temporary Unix socket and a free loopback port, over a
/// store from <see cref="TestStores"/>, with HTTP clients for both listeners.
/// </summary>
public sealed class TestDaemon : IAsyncDisposable
{
    private readonly IDisposable? _images;
    private bool _restarted;

    private TestDaemon(string directory, FailableStore store, ControlPlane control, WebApplication app, IDisposable? images = null)
    {
        _images = images;
        Directory = directory;
        Store = store;
        Control = control;
        App = app;
        var tcp = ApiServer.Addresses(app).First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        BaseAddress = new Uri(tcp + "/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Unix = UnixClient(SocketPath);
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "api.sock");

    public string Host => "unix://" + SocketPath;

    public FailableStore Store { get; }

    public ControlPlane Control { get; }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    /// <summary>Over TCP.</summary>
    public HttpClient Http { get; }

    /// <summary>Over the Unix socket.</summary>
    public HttpClient Unix { get; }

    public static async Task<TestDaemon> StartAsync() =>
        await StartAsync(

            // Socket paths are limited to 108 bytes, so the directory is short and directly in /tmp.
            System.IO.Directory.CreateTempSubdirectory("zls-").FullName,
            new FailableStore(await TestStores.CreateAsync()));

    /// <summary>
    /// The same, with the image and registry routes over an <see cref="ImageService"/> whose data
    /// directory is <c>data/</c> under <see cref="Directory"/>.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static async Task<TestDaemon> StartWithImagesAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("zls-").FullName;
        var store = new FailableStore(await TestStores.CreateAsync());
        var images = new ImageService(Path.Combine(directory, "data"), dockerConfigPath: Path.Combine(directory, "no-docker-config.json"));
        var control = new ControlPlane(new StateRepository(store), new EventLog(store, TimeProvider.System), TimeProvider.System);
        var app = ApiServer.Build(
            new ApiServerOptions { SocketPath = Path.Combine(directory, "api.sock"), TcpEndpoint = new IPEndPoint(IPAddress.Loopback, 0) },
            control,
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Services.AddSingleton(images);
                builder.Services.AddSingleton(ImageUsage.None);
                builder.Services.AddSingleton(VolumeCatalog.None);
            },
            api => api.MapImageRoutes().MapVolumeRoutes());
        await app.StartAsync();
        return new TestDaemon(directory, store, control, app, images);
    }

    /// <summary>
    /// Stops this server as a daemon restart does (the store and the socket path stay), runs
    /// <paramref name="whileDown"/>, and starts a new server in its place.
    /// </summary>
    public async Task<TestDaemon> RestartAsync(Func<Task> whileDown)
    {
        _restarted = true;
        Http.Dispose();
        Unix.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await whileDown();
        return await StartAsync(Directory, Store);
    }

    private static async Task<TestDaemon> StartAsync(string directory, FailableStore store)
    {
        var control = new ControlPlane(new StateRepository(store), new EventLog(store, TimeProvider.System), TimeProvider.System);
        var app = ApiServer.Build(
            new ApiServerOptions { SocketPath = Path.Combine(directory, "api.sock"), TcpEndpoint = new IPEndPoint(IPAddress.Loopback, 0) },
            control,
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return new TestDaemon(directory, store, control, app);
    }

    public static HttpClient UnixClient(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    {
        BaseAddress = new Uri("http://localhost/"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async ValueTask DisposeAsync()
    {
        if (_restarted)
        {
            // The daemon that replaced this one owns the store and the directory now.
            return;
        }

        Http.Dispose();
        Unix.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _images?.Dispose();
        await Store.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
