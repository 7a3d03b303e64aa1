using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text;
using ZLayer.Images.Content;
using ZLayer.Images.Layers;

namespace ZLayer.Images.Tests.Layers;

[SupportedOSPlatform("linux")]
public sealed class LayerUnpackerTests : IDisposable
{
    private const UnixFileMode Setuid755 = TarLayerBuilder.DirMode755 | UnixFileMode.SetUser;
    private const UnixFileMode Sticky1777 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit;
    private const UnixFileMode Mode640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly LayerSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private static TarLayerBuilder NormalLayer(TarEntryFormat format = TarEntryFormat.Pax)
    {
        var longName = "deep/" + string.Join('/', Enumerable.Repeat("directory-with-a-long-name", 8)) + "/file.txt";
        return new TarLayerBuilder(format)
            .Directory("etc/")
            .File("etc/config", "key=value\n", Mode640)
            .Symlink("etc/link", "config")
            .HardLink("etc/hard", "etc/config")
            .Directory("bin/", Mode700)
            .File("bin/tool", "#!/bin/sh\n", Setuid755)
            .Directory("tmp/", Sticky1777)
            .File("/abs/file", "rooted")
            .File("./dot/file", "dotted")
            .File(longName, "long");
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public async Task NormalLayer_UnpacksExactly(TarEntryFormat format)
    {
        var layer = NormalLayer(format);
        var result = await _sandbox.UnpackAsync(layer);

        Assert.Equal(layer.DiffId(), result.DiffId);
        Assert.Equal(layer.Tar().Length, result.ArchiveBytes);
        Assert.Equal(10, result.EntryCount);
        Assert.Equal("key=value\n#!/bin/sh\nrooteddottedlong".Length, result.FileBytes);

        var config = _sandbox.InTarget("etc/config");
        Assert.Equal("key=value\n", File.ReadAllText(config));
        Assert.Equal(Mode640, File.GetUnixFileMode(config));
        Assert.Equal(TarLayerBuilder.MTime.UtcDateTime, File.GetLastWriteTimeUtc(config));

        Assert.Equal("config", new FileInfo(_sandbox.InTarget("etc/link")).LinkTarget);
        Assert.Equal(FileStat.Query(config, "%i"), FileStat.Query(_sandbox.InTarget("etc/hard"), "%i"));

        Assert.Equal(Setuid755, File.GetUnixFileMode(_sandbox.InTarget("bin/tool")));
        Assert.Equal(Mode700, File.GetUnixFileMode(_sandbox.InTarget("bin")));
        Assert.Equal(Sticky1777, File.GetUnixFileMode(_sandbox.InTarget("tmp")));
        Assert.Equal(TarLayerBuilder.MTime.UtcDateTime, Directory.GetLastWriteTimeUtc(_sandbox.InTarget("etc")));

        Assert.Equal("rooted", File.ReadAllText(_sandbox.InTarget("abs/file")));
        Assert.Equal("dotted", File.ReadAllText(_sandbox.InTarget("dot/file")));
        Assert.Equal("long", File.ReadAllText(_sandbox.InTarget("deep/" + string.Join('/', Enumerable.Repeat("directory-with-a-long-name", 8)) + "/file.txt")));

        var top = Directory.EnumerateFileSystemEntries(_sandbox.Target).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["abs", "bin", "deep", "dot", "etc", "tmp"], top);
        _sandbox.AssertNothingOutside(targetExpected: true);
    }

    [Theory]
    [InlineData(LayerFormat.OciTar, false)]
    [InlineData(LayerFormat.OciNondistributableTar, false)]
    [InlineData(LayerFormat.OciTarGzip, true)]
    [InlineData(LayerFormat.OciNondistributableTarGzip, true)]
    [InlineData(LayerFormat.DockerTarGzip, true)]
    [InlineData(LayerFormat.OciTar, true)] // mislabelled: the gzip magic decides
    public async Task PlainAndGzipLayers_Unpack(string mediaType, bool gzip)
    {
        var layer = NormalLayer();
        var result = await _sandbox.UnpackAsync(gzip ? layer.Gzip() : layer.Tar(), layer.DiffId(), mediaType);

        Assert.Equal(layer.DiffId(), result.DiffId);
        Assert.Equal("key=value\n", File.ReadAllText(_sandbox.InTarget("etc/config")));
    }

    [Fact]
    public async Task DiffIdMismatch_FailsAndLeavesNoTarget()
    {
        var layer = NormalLayer();
        var wrong = Digest.Sha256("something else"u8);

        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer.Gzip(), wrong, LayerFormat.OciTarGzip));

        Assert.Equal(wrong, error.Layer);
        Assert.Contains(wrong.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("diff ID mismatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(layer.DiffId().ToString(), error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task EmptyTargetDirectory_IsFilledAndKeptEmptyOnFailure()
    {
        Directory.CreateDirectory(_sandbox.Target);
        var layer = NormalLayer();

        await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer.Tar(), Digest.Sha256("x"u8)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_sandbox.Target));

        await _sandbox.UnpackAsync(layer);
        Assert.True(File.Exists(_sandbox.InTarget("etc/config")));
        _sandbox.AssertNothingOutside(targetExpected: true);
    }

    [Fact]
    public async Task SizeLimit_RefusesTheEntryThatExceedsIt()
    {
        var layer = new TarLayerBuilder().File("small", new byte[60]).File("big", new byte[60]);

        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer, limits: new LayerLimits(100, 1000)));

        Assert.Equal("big", error.EntryPath);
        Assert.Contains("limit", error.Message, StringComparison.Ordinal);
        Assert.Contains(layer.DiffId().ToString(), error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
    }

    [Fact]
    public async Task EntryLimit_RefusesTheEntryBeyondIt()
    {
        var layer = new TarLayerBuilder().File("a", "1").File("b", "2").File("c", "3");

        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer, limits: new LayerLimits(1000, 2)));

        Assert.Equal("c", error.EntryPath);
        Assert.False(Directory.Exists(_sandbox.Target));
    }

    [Fact]
    public async Task TruncatedGzip_IsRefusedNamingTheLayer()
    {
        var content = new byte[256 * 1024];
        new Random(7).NextBytes(content);
        var layer = new TarLayerBuilder().File("blob.bin", content);
        var gzip = layer.Gzip();

        var error = await Assert.ThrowsAsync<LayerException>(
            () => _sandbox.UnpackAsync(gzip[..(gzip.Length / 2)], layer.DiffId(), LayerFormat.OciTarGzip));

        Assert.Contains(layer.DiffId().ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Theory]
    [InlineData(3000, null)] // inside blob.bin's PAX header: no entry is being read yet
    [InlineData(5000, "blob.bin")] // inside blob.bin's data
    public async Task TruncatedTar_IsRefusedNamingTheLayerAndWhere(int length, string? entry)
    {
        // PAX layout: "first" takes bytes 0-2047 (extended header, header, data); blob.bin's
        // extended header is 2048-3071, its header 3072-3583 and its data from 3584.
        var layer = new TarLayerBuilder().File("first", "ok").File("blob.bin", new byte[8192]);

        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer.Tar()[..length], layer.DiffId()));

        Assert.Equal(entry, error.EntryPath);
        Assert.Contains(entry is null ? "after entry 'first'" : "entry 'blob.bin'", error.Message, StringComparison.Ordinal);
        Assert.Contains(layer.DiffId().ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
    }

    [Fact]
    public async Task ZstdMediaType_IsRefusedNamingTheLayer()
    {
        var layer = NormalLayer();

        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer.Tar(), layer.DiffId(), LayerFormat.OciTarZstd));

        Assert.Contains(layer.DiffId().ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("zstd", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task ZstdMagic_IsRefusedEvenWhenLabelledPlainTar()
    {
        byte[] blob = [0x28, 0xB5, 0x2F, 0xFD, 0, 0, 0, 0];
        var diffId = Digest.Sha256("layer"u8);

        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(blob, diffId, LayerFormat.OciTar));

        Assert.Contains(diffId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("zstd", error.Message, StringComparison.Ordinal);
        _sandbox.AssertNothingOutside(targetExpected: false);
    }

    [Fact]
    public async Task UnknownMediaType_IsRefused()
    {
        var layer = NormalLayer();

        var error = await Assert.ThrowsAsync<LayerException>(() => _sandbox.UnpackAsync(layer, "application/vnd.oci.image.config.v1+json"));

        Assert.Contains("media type", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_sandbox.Target));
    }

    [Fact]
    public async Task Ownership_IsAppliedWhenPrivileged_OtherwiseReportedAsNotApplied()
    {
        var layer = new TarLayerBuilder()
            .Directory("home/", TarLayerBuilder.DirMode755, uid: 1000, gid: 1000)
            .File("home/owned", "mine", Setuid755, uid: 1234, gid: 5678)
            .Symlink("home/link", "owned");

        var result = await _sandbox.UnpackAsync(layer);

        var owned = _sandbox.InTarget("home/owned");
        if (Environment.IsPrivilegedProcess)
        {
            Assert.True(result.OwnershipApplied);
            Assert.Equal("1234:5678", FileStat.Query(owned, "%u:%g"));
            Assert.Equal("1000:1000", FileStat.Query(_sandbox.InTarget("home"), "%u:%g"));
            Assert.Equal("0:0", FileStat.Query(_sandbox.InTarget("home/link"), "%u:%g"));

            // chown clears setuid; the unpacker must restore it afterwards.
            Assert.Equal(Setuid755, File.GetUnixFileMode(owned));
        }
        else
        {
            Assert.False(result.OwnershipApplied);
            Assert.Equal(FileStat.Query(Path.GetTempPath(), "%u"), FileStat.Query(owned, "%u"));
        }
    }

    [Fact]
    public async Task DevicesAndFifos_AreCreatedOrNoted()
    {
        var layer = new TarLayerBuilder()
            .Directory("dev/")
            .Device(TarEntryType.CharacterDevice, "dev/null", 1, 3)
            .Fifo("run/pipe");

        var result = await _sandbox.UnpackAsync(layer);

        Assert.Equal("fifo", FileStat.Query(_sandbox.InTarget("run/pipe"), "%F"));
        var device = _sandbox.InTarget("dev/null");
        if (File.Exists(device))
        {
            Assert.True(Environment.IsPrivilegedProcess);
            Assert.Equal("character special file 1,3", FileStat.Query(device, "%F %Hr,%Lr"));
            Assert.Empty(result.Notes);
        }
        else
        {
            // Unprivileged, or root without CAP_MKNOD: the node is skipped and said so.
            Assert.Contains(result.Notes, note => note.StartsWith("dev/null:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task UnpackedBlob_ReadsTheWholeStream()
    {
        var layer = NormalLayer();
        using var blob = new MemoryStream(layer.Gzip());

        await LayerUnpacker.UnpackAsync(blob, LayerFormat.OciTarGzip, _sandbox.Target, layer.DiffId());

        Assert.Equal(blob.Length, blob.Position);
        Assert.Equal(Encoding.UTF8.GetBytes("rooted"), File.ReadAllBytes(_sandbox.InTarget("abs/file")));
    }
}
