using System.Runtime.Versioning;
using ZLayer.Images.Layers;
using ZLayer.Images.Manifests;
using ZLayer.Images.Pull;
using ZLayer.Images.Registry;
using ZLayer.Images.Store;
using ZLayer.Images.Transfer;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Images;

/// <summary>
/// A node's images as the daemon offers them: the store under <c>DATA/images</c>, registry settings
/// in <c>DATA/registries.json</c> (with the serve flags layered on top, not saved), and pull, import,
/// push, login and collection over them. A login or logout takes effect for the next operation.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImageService : IDisposable
{
    private readonly string _settingsPath;
    private readonly Func<RegistrySettings, RegistrySettings> _overrides;
    private readonly RegistryClientOptions _clientOptions;
    private readonly LayerLimits? _limits;
    private readonly Lock _lock = new();
    private (RegistryClient Client, ImagePuller Puller, RegistrySettings Settings) _current;

    /// <param name="overrides">Applied to the file's settings on every load (the serve flags).</param>
    public ImageService(string dataDirectory, Func<RegistrySettings, RegistrySettings>? overrides = null, RegistryClientOptions? clientOptions = null, LayerLimits? limits = null, string? dockerConfigPath = null)
    {
        Store = new ImageStore(Path.Combine(dataDirectory, "images"));
        _settingsPath = Path.Combine(dataDirectory, "registries.json");
        _overrides = overrides ?? (s => s);
        _clientOptions = clientOptions ?? RegistryClientOptions.Default;
        _limits = limits;
        DockerConfigPath = dockerConfigPath ?? DefaultDockerConfig();
        _current = Connect(LoadFile());
    }

    public ImageStore Store { get; }

    /// <summary>Docker's config.json, consulted for logins the node has none of.</summary>
    public string DockerConfigPath { get; }

    /// <summary>The effective registry settings (file, then serve flags).</summary>
    public RegistrySettings Settings => _current.Settings;

    public RegistryClient Registry => _current.Client;

    public Task<ImageRecord> EnsureAsync(ImageReference image, PullPolicy policy, IProgress<PullProgress>? progress = null, CancellationToken ct = default) =>
        _current.Puller.EnsureAsync(image, policy, progress, ct);

    public Task<ImageRecord> PullAsync(ImageReference image, IProgress<PullProgress>? progress = null, CancellationToken ct = default) =>
        _current.Puller.PullAsync(image, progress, ct);

    /// <summary>Imports an OCI layout directory, an OCI layout tar or a docker-archive tar; see <see cref="ImageImporter"/>.</summary>
    public Task<IReadOnlyList<ImageRecord>> ImportAsync(string path, ImageReference? name = null, IProgress<PullProgress>? progress = null, CancellationToken ct = default) =>
        new ImageImporter(Store, Platform.Current, _limits).ImportAsync(path, name, progress, ct);

    /// <summary>Pushes a stored image to <paramref name="target"/>; see <see cref="ImagePusher"/>.</summary>
    public Task PushAsync(ImageRecord source, ImageReference target, IProgress<PullProgress>? progress = null, CancellationToken ct = default) =>
        new ImagePusher(Store, _current.Client).PushAsync(source, target, progress, ct);

    /// <summary>
    /// Checks a login against the registry (its <c>/v2/</c> endpoint must accept it) and saves it in
    /// <c>registries.json</c> only then, so a typo is reported now rather than at the next deploy.
    /// </summary>
    public async Task LoginAsync(string host, RegistryCredential credential, CancellationToken ct = default)
    {
        var candidate = _overrides(LoadFile().With(host, h => h with { Credential = credential }));
        using (var probe = new RegistryClient(candidate, _clientOptions))
        {
            await probe.CheckLoginAsync(host, ct).ConfigureAwait(false);
        }

        lock (_lock)
        {
            LoadFile().With(host, h => h with { Credential = credential }).Save(_settingsPath);
            Reconnect();
        }
    }

    /// <summary>Forgets this node's login for a registry; false when it had none.</summary>
    public bool Logout(string host)
    {
        lock (_lock)
        {
            var file = LoadFile();
            if (!file.Hosts.TryGetValue(host, out var settings) || settings.Credential is null)
            {
                return false;
            }

            file.With(host, h => h with { Credential = null }).Save(_settingsPath);
            Reconnect();
            return true;
        }
    }

    public void Dispose() => _current.Client.Dispose();

    private static string DefaultDockerConfig() =>
        Path.Combine(Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } dir ? dir : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"), "config.json");

    private RegistrySettings LoadFile() => RegistrySettings.Load(_settingsPath, DockerConfigPath);

    // The previous client is left to the garbage collector rather than disposed: pulls already
    // under way keep using it until they finish.
    private void Reconnect() => _current = Connect(LoadFile());

    private (RegistryClient, ImagePuller, RegistrySettings) Connect(RegistrySettings file)
    {
        var settings = _overrides(file);
        var client = new RegistryClient(settings, _clientOptions);
        return (client, new ImagePuller(Store, client, Platform.Current, limits: _limits), settings);
    }
}
