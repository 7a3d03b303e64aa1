using ZLayer.Images.Content;
using ZLayer.Images.Layers;

namespace ZLayer.Images.Tests.Layers;

/// <summary>
/// A temporary directory holding the unpack target and an "outside" directory next to it that
/// hostile layers aim at; tests assert it stays empty.
/// </summary>
internal sealed class LayerSandbox : IDisposable
{
    public LayerSandbox()
    {
        Base = Path.Join(Path.GetTempPath(), $"zlayer-layers-{Guid.NewGuid():N}");
        Outside = Path.Join(Base, "outside");
        Target = Path.Join(Base, "rootfs");
        System.IO.Directory.CreateDirectory(Outside);
    }

    public string Base { get; }

    public string Outside { get; }

    public string Target { get; }

    public string InTarget(string relative) => Path.Join(Target, relative);

    public Task<LayerUnpackResult> UnpackAsync(byte[] blob, Digest diffId, string mediaType = LayerFormat.OciTar, LayerLimits? limits = null) =>
        LayerUnpacker.UnpackAsync(new MemoryStream(blob, writable: false), mediaType, Target, diffId, limits);

    public Task<LayerUnpackResult> UnpackAsync(TarLayerBuilder layer, string mediaType = LayerFormat.OciTar, LayerLimits? limits = null) =>
        UnpackAsync(layer.Tar(), layer.DiffId(), mediaType, limits);

    /// <summary>Nothing escaped: the outside directory is empty and the base holds only it, the target and what the test put there.</summary>
    public void AssertNothingOutside(bool targetExpected, params string[] alsoPresent)
    {
        Assert.Empty(System.IO.Directory.EnumerateFileSystemEntries(Outside));
        var expected = (targetExpected ? new[] { "outside", "rootfs" } : ["outside"]).Concat(alsoPresent).Order(StringComparer.Ordinal);
        Assert.Equal(expected, System.IO.Directory.EnumerateFileSystemEntries(Base).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Base, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the directory is uniquely named under the temp directory.
        }
    }
}
