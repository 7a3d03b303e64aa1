using ZLayer.Images.Registry;
using ZLayer.Images.Store;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;

namespace ZLayer.Images.Tests.Pull;

/// <summary>A private data directory and the image service over it, as a daemon would have.</summary>
internal sealed class ImageHarness : IDisposable
{
    /// <summary>Short limits so stall and retry tests finish in seconds.</summary>
    public static readonly RegistryClientOptions QuickOptions = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));

    private readonly List<ImageService> _services = [];

    public ImageHarness()
    {
        Root = Directory.CreateTempSubdirectory("zlayer-images-").FullName;
    }

    public string Root { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    /// <summary>A service on the harness's data directory; settings changes apply on top of an empty file (and no Docker login).</summary>
    public ImageService Service(Func<RegistrySettings, RegistrySettings>? settings = null, RegistryClientOptions? options = null)
    {
        var service = new ImageService(DataDirectory, settings, options ?? QuickOptions, dockerConfigPath: Path.Combine(Root, "no-docker-config.json"));
        _services.Add(service);
        return service;
    }

    public static ImageReference Reference(string host, string repository, string tag = "latest") => ImageReference.Parse($"{host}/{repository}:{tag}");

    public static async Task<ImageReference> PushAsync(RegistryServer registry, BuiltImage image, string repository, string tag = "latest")
    {
        using var upload = new RegistryUpload(registry);
        await upload.PushAsync(image, repository, tag);
        return Reference(registry.Host, repository, tag);
    }

    /// <summary>Every file and directory the store holds, relative to its root, so tests can tell what a failure left behind.</summary>
    public static IReadOnlyList<string> Listing(ImageStore store) =>
        Directory.EnumerateFileSystemEntries(store.Root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(store.Root, p))
            .Where(p => !p.StartsWith("layers" + Path.DirectorySeparatorChar + "sha256" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || p.Count(c => c == Path.DirectorySeparatorChar) == 2)
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Dispose()
    {
        foreach (var service in _services)
        {
            service.Dispose();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the name is unique.
        }
    }
}
