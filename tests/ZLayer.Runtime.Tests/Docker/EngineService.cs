using ZLayer.Images;
using ZLayer.Runtime.Docker;
using ZLayer.Runtime.Tests.Runc;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Engines;
using ZLayer.TestImages.Registry;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>
/// A real Docker-API engine of the test run's own (<see cref="EngineServer"/>), connected, plus a
/// local docker-registry holding a busybox image the engine pulls from 127.0.0.1.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class EngineService : IAsyncLifetime
{
    private EngineServer? _server;
    private RegistryServer? _registry;

    public EngineServer Server => _server ?? throw new InvalidOperationException("not started");

    public DockerEngine Engine { get; private set; } = null!;

    /// <summary>The busybox image in the local registry, as replicas name it.</summary>
    public ImageReference Busybox { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAnonymousAsync();
        Busybox = ImageReference.Parse($"{_registry.Host}/zlayer-test/busybox:1");
        using (var scratch = new TempDirectory())
        using (var images = new ImageService(Path.Combine(scratch.Path, "data"), dockerConfigPath: Path.Combine(scratch.Path, "none.json")))
        {
            await images.PushAsync(await BusyboxImage.ImportAsync(images, scratch.Path), Busybox);
        }

        _server = await StartServerAsync(_registry);
        Engine = await DockerEngine.ConnectAsync(_server.SocketPath);
    }

    /// <summary>A runtime of a scope no other test uses (unless given), over the shared engine.</summary>
    public DockerRuntime NewRuntime(string dataDirectory, string? scope = null, ZLayer.Runtime.Runc.NodeResolver? resolver = null) =>
        new(Engine, new ZLayer.Runtime.Runc.NamedVolumes(Path.Combine(dataDirectory, "volumes")), scope: scope ?? NewScope(), ownsEngine: false) { Resolver = resolver };

    public static string NewScope() => "zlt" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A launch spec for <c>sh -c SCRIPT</c> in the registry's busybox, pulled when missing.</summary>
    public ReplicaLaunchSpec Shell(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null, Action<ServiceSpec>? configure = null) =>
        BusyboxImage.Shell(replicaId, script, environment, service =>
        {
            service.Image = new ImageSpec { Name = Busybox, PullPolicy = PullPolicy.IfNotPresent };
            configure?.Invoke(service);
        });

    public async Task DisposeAsync()
    {
        Engine?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }

    protected abstract Task<EngineServer> StartServerAsync(RegistryServer registry);
}
