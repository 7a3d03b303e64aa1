using ZLayer.Images;
using ZLayer.Runtime.Runc;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>A node's worth of runc runtime for one test class: fresh data directory and image store with the busybox image in it, no container network.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RuncNode : IDisposable
{
    private readonly TempDirectory _data = new();

    public RuncNode()
    {
        var data = Path.Combine(_data.Path, "data");
        Images = new ImageService(data, dockerConfigPath: Path.Combine(_data.Path, "none.json"));
        Runtime = new RuncRuntime(data, Images, network: null, TimeProvider.System);
    }

    public ImageService Images { get; }

    public RuncRuntime Runtime { get; }

    public Task ImportBusyboxAsync() => BusyboxImage.ImportAsync(Images, _data.Path);

    public void Dispose()
    {
        Runtime.Dispose();
        Images.Dispose();
        _data.Dispose();
    }
}
