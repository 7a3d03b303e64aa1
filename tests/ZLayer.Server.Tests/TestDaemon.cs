using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZLayer.Cli.Daemon;
using ZLayer.Control.Api;
using ZLayer.Control.State;
using ZLayer.Images;
using ZLayer.Server.Auth;

namespace ZLayer.Server.Tests;

/// <summary>
/// The real <see cref="ApiServer"/> on a temporary Unix socket and a free loopback port, over a
/// store from <see cref="TestStores"/>, with HTTP clients for both listeners.
/// </summary>
public sealed class TestDaemon : IAsyncDisposable
{
    private readonly IDisposable? _images;
    private bool _restarted;

    private TestDaemon(string directory, FailableStore store, ControlPlane control, WebApplication app, ApiSecurity security, IDisposable? images = null)
    {
        _images = images;
        Directory = directory;
        Store = store;
        Control = control;
        App = app;
        Security = security;
        var tcp = ApiServer.Addresses(app).First(a => a.Contains("://127.0.0.1:", StringComparison.Ordinal));
        BaseAddress = new Uri(tcp + "/");
        Http = TcpClient();
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        Unix = UnixClient(SocketPath);
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "api.sock");

    public string Host => "unix://" + SocketPath;

    public FailableStore Store { get; }

    public ControlPlane Control { get; }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    /// <summary>The key, ledger and rate limit of the TCP listener, kept in <see cref="Directory"/>.</summary>
    public ApiSecurity Security { get; }

    /// <summary>The admin token the daemon made on its first start (what <see cref="Http"/> sends).</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(Directory, Auth.AdminToken.FileName)).Trim();

    /// <summary>Over TCP, as the admin.</summary>
    public HttpClient Http { get; }

    /// <summary>Over the Unix socket.</summary>
    public HttpClient Unix { get; }

    /// <param name="settings">The TCP listener's rate limit and TLS; none by default, so tests are not limited.</param>
    public static async Task<TestDaemon> StartAsync(ApiSecuritySettings? settings = null) =>
        await StartAsync(

            // Socket paths are limited to 108 bytes, so the directory is short and directly in /tmp.
            System.IO.Directory.CreateTempSubdirectory("zls-").FullName,
            new FailableStore(await TestStores.CreateAsync()),
            settings);

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
        var security = await ApiSecurity.OpenAsync(directory, Unlimited);
        var app = ApiServer.Build(
            Listeners(directory, security),
            control,
            builder =>
            {
                builder.Logging.ClearProviders();
                AddImages(builder, images);
            },
            api => api.MapImageRoutes().MapVolumeRoutes());
        await app.StartAsync();
        return new TestDaemon(directory, store, control, app, security, images);
    }

    /// <summary>
    /// The API with every route the daemon serves (<see cref="NodeRoutes"/> and the daemon's views of the node), over a process
    /// runtime and an image store in <see cref="Directory"/>: what the auth matrix enumerates.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static async Task<TestDaemon> StartWithEveryRouteAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("zls-").FullName;
        var store = new FailableStore(await TestStores.CreateAsync());
        var images = new ImageService(Path.Combine(directory, "data"), dockerConfigPath: Path.Combine(directory, "no-docker-config.json"));
        var runtime = new ZLayer.Runtime.Process.ProcessRuntime(Path.Combine(directory, "replicas"), TimeProvider.System);
        var repository = new StateRepository(store);
        var events = new EventLog(store, TimeProvider.System);
        var control = new ControlPlane(repository, events, TimeProvider.System);
        var agent = new ZLayer.Control.Agent.NodeAgent(repository, events, new Dictionary<string, ZLayer.Runtime.IContainerRuntime> { [runtime.Name] = runtime }, runtime.Name, "test-node", TimeProvider.System);
        var security = await ApiSecurity.OpenAsync(directory, Unlimited);
        var app = ApiServer.Build(
            Listeners(directory, security),
            control,
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Services.AddSingleton(agent);
                builder.Services.AddSingleton(new JobOperations(repository, events, TimeProvider.System));
                builder.Services.AddSingleton(new RollingRestart(repository, events, TimeProvider.System));
                AddImages(builder, images);
            },
            api => api.MapNodeRoutes().MapProxyRouteRoutes(null).MapNodeListRoutes("test-node", runtime.Name, [runtime.Name]));
        await app.StartAsync();
        return new TestDaemon(directory, store, control, app, security, new Owned(images, runtime));
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
        return await StartAsync(Directory, Store, Security.Settings);
    }

    private static readonly ApiSecuritySettings Unlimited = new(RateLimit: 0);

    /// <summary>The services of the image and volume routes, over <paramref name="images"/>, nothing in use.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AddImages(WebApplicationBuilder builder, ImageService images)
    {
        builder.Services.AddSingleton(images);
        builder.Services.AddSingleton(ImageUsage.None);
        builder.Services.AddSingleton(VolumeCatalog.None);
    }

    /// <summary>The socket in <paramref name="directory"/> and a free loopback port, protected by <paramref name="security"/>.</summary>
    private static ApiServerOptions Listeners(string directory, ApiSecurity security) =>
        new() { SocketPath = Path.Combine(directory, "api.sock"), TcpEndpoint = new IPEndPoint(IPAddress.Loopback, 0), Security = security };

    private static async Task<TestDaemon> StartAsync(string directory, FailableStore store, ApiSecuritySettings? settings)
    {
        var control = new ControlPlane(new StateRepository(store), new EventLog(store, TimeProvider.System), TimeProvider.System);
        var security = await ApiSecurity.OpenAsync(directory, settings ?? Unlimited);
        var app = ApiServer.Build(
            Listeners(directory, security),
            control,
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return new TestDaemon(directory, store, control, app, security);
    }

    /// <summary>A client of the TCP listener that sends no token of its own; trusts the daemon's certificate when it serves TLS.</summary>
    public HttpClient TcpClient()
    {
        var handler = new SocketsHttpHandler();
        if (Security.Certificate is { } certificate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && ApiCertificates.Matches(ApiCertificates.Fingerprint(certificate), presented);
        }

        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
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

    private sealed class Owned(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }

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
