using System.Runtime.Versioning;
using ZLayer.Images.Layers;

namespace ZLayer.Images.Tests.Layers;

/// <summary>Hostile layers: every attempt to write outside the target is refused with the entry named.</summary>
[SupportedOSPlatform("linux")]
public sealed class LayerSafetyTests : IDisposable
{
    private readonly LayerSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private async Task<LayerException> RefusedAsync(TarLayerBuilder layer, string entry)
    {
        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer));
        Assert.Equal(entry, error.EntryPath);
        Assert.Contains($"entry '{entry}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(layer.DiffId().ToString(), error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>Unpacks a first layer into the target, which later layers are then applied onto.</summary>
    private async Task LowerLayerAsync(TarLayerBuilder lower) => await _sandbox.UnpackAsync(lower);

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs/../../escape")]
    [InlineData("a/../../escape")]
    [InlineData("a/b/../../../outside/escape")]
    public async Task DotDotNames_AreRefused(string name)
    {
        var layer = new TarLayerBuilder().File("ok", "fine").File(name, "pwned");

        var error = await RefusedAsync(layer, name);

        Assert.Contains("'..'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task DotDotDirectoryName_IsRefused()
    {
        var layer = new TarLayerBuilder().Directory("../outside/newdir/");

        await RefusedAsync(layer, "../outside/newdir/");

        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task SymlinkPlantedInTheSameLayer_IsNotWrittenThrough()
    {
        var layer = new TarLayerBuilder()
            .Symlink("evil", _sandbox.Outside)
            .File("evil/pwned", "pwned");

        var error = await RefusedAsync(layer, "evil/pwned");

        Assert.Contains("symlink", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task SymlinkToTmp_IsNotWrittenThroughByADirectoryEntry()
    {
        var layer = new TarLayerBuilder()
            .Symlink("tmplink", Path.GetTempPath())
            .Directory($"tmplink/{Path.GetFileName(_sandbox.Base)}/outside/sub/");

        await RefusedAsync(layer, $"tmplink/{Path.GetFileName(_sandbox.Base)}/outside/sub/");

        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task DanglingSymlink_IsNotWrittenThrough()
    {
        var missing = Path.Join(_sandbox.Outside, "not-yet");
        var layer = new TarLayerBuilder()
            .Symlink("dangling", missing)
            .File("dangling/pwned", "pwned");

        await RefusedAsync(layer, "dangling/pwned");

        Assert.False(Path.Exists(missing));
        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task RelativeSymlinkChain_IsNotWrittenThrough()
    {
        var layer = new TarLayerBuilder()
            .Directory("a/")
            .Symlink("a/up", "../..")
            .File("a/up/outside/pwned", "pwned");

        await RefusedAsync(layer, "a/up/outside/pwned");

        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task SymlinkFromALowerLayer_IsNotWrittenThrough()
    {
        await LowerLayerAsync(new TarLayerBuilder().File("keep", "lower").Symlink("lnk", _sandbox.Outside));
        var upper = new TarLayerBuilder().File("lnk/pwned", "pwned");

        var error = await RefusedAsync(upper, "lnk/pwned");

        Assert.Contains("symlink", error.Message, StringComparison.Ordinal);
        _sandbox.AssertNothingOutside(targetExpected: true);
        Assert.Equal("lower", File.ReadAllText(_sandbox.InTarget("keep")));
    }

    [Fact]
    public async Task WhiteoutsThroughALowerSymlink_AreRefused()
    {
        var victims = Path.Join(_sandbox.Base, "victims");
        Directory.CreateDirectory(victims);
        File.WriteAllText(Path.Join(victims, "precious"), "keep me");
        await LowerLayerAsync(new TarLayerBuilder().Symlink("lnk", victims));

        await RefusedAsync(new TarLayerBuilder().File("lnk/.wh.precious", ""), "lnk/.wh.precious");
        await RefusedAsync(new TarLayerBuilder().File("lnk/.wh..wh..opq", ""), "lnk/.wh..wh..opq");

        Assert.Equal("keep me", File.ReadAllText(Path.Join(victims, "precious")));
    }

    [Fact]
    public async Task ReplacingALowerSymlink_ReplacesTheLinkNotItsTarget()
    {
        var victim = Path.Join(_sandbox.Base, "victim");
        File.WriteAllText(victim, "original");
        await LowerLayerAsync(new TarLayerBuilder().Symlink("lnk", victim));

        await _sandbox.UnpackAsync(new TarLayerBuilder().File("lnk", "replaced"));

        Assert.Equal("original", File.ReadAllText(victim));
        Assert.Null(new FileInfo(_sandbox.InTarget("lnk")).LinkTarget);
        Assert.Equal("replaced", File.ReadAllText(_sandbox.InTarget("lnk")));
    }

    [Theory]
    [InlineData("../outside/secret")]
    [InlineData("/../outside/secret")]
    public async Task HardLinkToOutside_IsRefused(string target)
    {
        var secrets = Path.Join(_sandbox.Base, "secrets");
        Directory.CreateDirectory(secrets);
        File.WriteAllText(Path.Join(secrets, "secret"), "s3cret");
        var layer = new TarLayerBuilder().HardLink("stolen", target.Replace("outside", "secrets", StringComparison.Ordinal));

        var error = await RefusedAsync(layer, "stolen");

        Assert.Contains("hard link", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", FileStat.Query(Path.Join(secrets, "secret"), "%h"));
        _sandbox.AssertNothingOutside(targetExpected: false, "secrets");
    }

    [Fact]
    public async Task HardLinkToAnAbsoluteHostPath_StaysInsideTheRoot()
    {
        // "/etc/passwd" means the image's /etc/passwd, which this layer does not have.
        var layer = new TarLayerBuilder().HardLink("passwd", "/etc/passwd");

        var error = await RefusedAsync(layer, "passwd");

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HardLinkThroughASymlink_IsRefused()
    {
        var secrets = Path.Join(_sandbox.Base, "secrets");
        Directory.CreateDirectory(secrets);
        File.WriteAllText(Path.Join(secrets, "secret"), "s3cret");
        var layer = new TarLayerBuilder()
            .Symlink("lnk", secrets)
            .HardLink("stolen", "lnk/secret");

        var error = await RefusedAsync(layer, "stolen");

        Assert.Contains("symlink", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
        Assert.Equal("1", FileStat.Query(Path.Join(secrets, "secret"), "%h"));
        _sandbox.AssertNothingOutside(targetExpected: false, "secrets");
    }

    [Fact]
    public async Task HardLinkToASymlink_LinksTheSymlinkItself()
    {
        var layer = new TarLayerBuilder()
            .Symlink("lnk", _sandbox.Outside)
            .HardLink("also-lnk", "lnk");

        await _sandbox.UnpackAsync(layer);

        Assert.Equal(_sandbox.Outside, new FileInfo(_sandbox.InTarget("also-lnk")).LinkTarget);
        _sandbox.AssertNothingOutside(targetExpected: true);
    }

    [Fact]
    public async Task SymlinkEntry_MayPointAnywhereButIsOnlyStored()
    {
        var layer = new TarLayerBuilder().Symlink("etc/shadow-link", "/etc/shadow").Symlink("up", "../../..");

        await _sandbox.UnpackAsync(layer);

        Assert.Equal("/etc/shadow", new FileInfo(_sandbox.InTarget("etc/shadow-link")).LinkTarget);
        Assert.Equal("../../..", new FileInfo(_sandbox.InTarget("up")).LinkTarget);
        _sandbox.AssertNothingOutside(targetExpected: true);
    }
}
