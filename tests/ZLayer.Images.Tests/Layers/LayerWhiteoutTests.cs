using System.Runtime.Versioning;

namespace ZLayer.Images.Tests.Layers;

/// <summary>OCI whiteouts applied onto a rootfs that already holds the lower layers.</summary>
[SupportedOSPlatform("linux")]
public sealed class LayerWhiteoutTests : IDisposable
{
    private readonly LayerSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string[] Tree(string relative) =>
        [.. Directory.EnumerateFileSystemEntries(_sandbox.InTarget(relative), "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(_sandbox.Target, p))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Whiteout_DeletesALowerFileAndIsNotCreated()
    {
        await _sandbox.UnpackAsync(new TarLayerBuilder().File("etc/a", "a").File("etc/b", "b").File("opt/dir/deep", "d"));

        await _sandbox.UnpackAsync(new TarLayerBuilder().File("etc/.wh.a", "").File("opt/.wh.dir", "").File("etc/c", "c"));

        Assert.Equal(["etc/b", "etc/c"], Tree("etc"));
        Assert.Empty(Tree("opt"));
    }

    [Fact]
    public async Task Whiteout_DoesNotHideAnEntryOfTheSameLayer()
    {
        var result = await _sandbox.UnpackAsync(new TarLayerBuilder().File("x/keep", "same layer").File("x/.wh.keep", ""));

        Assert.Equal("same layer", File.ReadAllText(_sandbox.InTarget("x/keep")));
        Assert.Equal(2, result.EntryCount);
    }

    [Fact]
    public async Task WhiteoutOfAMissingName_IsANoOp()
    {
        await _sandbox.UnpackAsync(new TarLayerBuilder().File("etc/a", "a"));

        await _sandbox.UnpackAsync(new TarLayerBuilder().File("etc/.wh.nothing", "").File("nodir/.wh.nothing", ""));

        Assert.Equal(["etc/a"], Tree("etc"));
        Assert.False(Directory.Exists(_sandbox.InTarget("nodir")));
    }

    [Fact]
    public async Task OpaqueWhiteout_EmptiesTheLowerDirectoryButKeepsThisLayersEntries()
    {
        await _sandbox.UnpackAsync(new TarLayerBuilder()
            .File("data/old", "lower")
            .File("data/sub/old2", "lower")
            .Symlink("data/oldlink", "old")
            .File("other/untouched", "lower"));

        // This layer's entries come both before and after the marker; neither may be removed.
        await _sandbox.UnpackAsync(new TarLayerBuilder()
            .Directory("data/")
            .File("data/new", "upper")
            .File("data/sub/new2", "upper")
            .File("data/.wh..wh..opq", "")
            .File("data/later", "upper"));

        Assert.Equal(["data/later", "data/new", "data/sub", "data/sub/new2"], Tree("data"));
        Assert.Equal("lower", File.ReadAllText(_sandbox.InTarget("other/untouched")));
        Assert.False(File.Exists(_sandbox.InTarget("data/.wh..wh..opq")));
    }

    [Fact]
    public async Task Whiteouts_InAFreshTarget_LeaveNoMarkers()
    {
        await _sandbox.UnpackAsync(new TarLayerBuilder().Directory("d/").File("d/.wh..wh..opq", "").File("d/.wh.gone", "").File("d/f", "f"));

        Assert.Equal(["d/f"], Tree("d"));
    }
}
