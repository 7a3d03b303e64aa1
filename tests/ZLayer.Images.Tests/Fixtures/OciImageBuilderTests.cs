using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ZLayer.TestImages.Images;

namespace ZLayer.Images.Tests.Fixtures;

/// <summary>The image builder writes what the specs describe, and the same calls always give the same digests.</summary>
public sealed class OciImageBuilderTests
{
    private static OciImageBuilder Busybox(ImageFormat format = ImageFormat.Oci) =>
        new OciImageBuilder()
            .Format(format)
            .Layer(l => l.Busybox())
            .Layer(l =>
            {
                l.File("srv/app.conf", "port=80", LayerBuilder.FileMode, uid: 33, gid: 44)
                    .Directory("srv/data", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, uid: 33, gid: 44)
                    .HardLink("srv/app.link", "/srv/app.conf")
                    .Symlink("srv/current", "data")
                    .Whiteout("etc/old")
                    .OpaqueDirectory("var/cache");
                l.Comment = "second";
            })
            .Env("PATH", "/bin")
            .Entrypoint("/bin/sh", "-c")
            .Cmd("echo hi")
            .WorkingDir("/srv")
            .User("33:44")
            .ExposePort(8080)
            .Label("org.example.name", "fixture");

    [Fact]
    public void TheSameCallsGiveTheSameDigests()
    {
        var first = Busybox().Build();
        var second = Busybox().Build();
        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(first.Manifest, second.Manifest);
        Assert.Equal(first.Layers.Select(l => l.Digest), second.Layers.Select(l => l.Digest));
        Assert.NotEqual(first.Digest, Busybox().Label("other", "x").Build().Digest);
    }

    [Fact]
    public void DigestsAndDiffIdsNameTheBytes()
    {
        var image = Busybox().Build();
        Assert.Equal(image.Digest, ContentDigest.Sha256(image.Manifest));
        Assert.Equal(image.Config!.Digest, ContentDigest.Sha256(image.Config.Bytes));
        foreach (var layer in image.Layers)
        {
            Assert.Equal(MediaTypes.OciLayerGzip, layer.MediaType);
            Assert.Equal(layer.Digest, ContentDigest.Sha256(layer.Bytes));
            Assert.Equal(layer.Tar, Gunzip(layer.Bytes));
            Assert.Equal(layer.DiffId, ContentDigest.Sha256(layer.Tar));
            // The code under test agrees on what a digest is.
            Assert.Equal(layer.DiffId, ZLayer.Images.Content.Digest.Sha256(layer.Tar).ToString());
        }
    }

    [Fact]
    public void ManifestAndConfigFollowTheImageSpec()
    {
        var image = Busybox().Build();
        using var manifest = JsonDocument.Parse(image.Manifest);
        var root = manifest.RootElement;
        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(MediaTypes.OciManifest, root.GetProperty("mediaType").GetString());
        Assert.Equal(image.Config!.Digest, root.GetProperty("config").GetProperty("digest").GetString());
        Assert.Equal(image.Config.Size, root.GetProperty("config").GetProperty("size").GetInt64());
        Assert.Equal(image.Layers.Select(l => l.Digest), root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()));
        Assert.Contains("+gzip", Encoding.UTF8.GetString(image.Manifest), StringComparison.Ordinal);

        using var config = JsonDocument.Parse(image.Config.Bytes);
        var c = config.RootElement;
        Assert.Equal("amd64", c.GetProperty("architecture").GetString());
        Assert.Equal("linux", c.GetProperty("os").GetString());
        Assert.Equal(image.Layers.Select(l => l.DiffId), c.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("layers", c.GetProperty("rootfs").GetProperty("type").GetString());
        var settings = c.GetProperty("config");
        Assert.Equal(["PATH=/bin"], settings.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["/bin/sh", "-c"], settings.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["echo hi"], settings.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/srv", settings.GetProperty("WorkingDir").GetString());
        Assert.Equal("33:44", settings.GetProperty("User").GetString());
        Assert.True(settings.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.Equal("fixture", settings.GetProperty("Labels").GetProperty("org.example.name").GetString());
        Assert.Equal(["zlayer-test-images", "second"], c.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("created_by").GetString()));
    }

    [Fact]
    public void LayersHoldTheEntriesAsAsked()
    {
        var image = Busybox().Build();
        var busybox = Entries(image.Layers[0].Tar);
        Assert.Equal("bin/", busybox[0].Name);
        var binary = busybox.Single(e => e.Name == "bin/busybox");
        Assert.Equal(new FileInfo(LayerBuilder.BusyboxSource).Length, binary.Length);
        Assert.Equal(LayerBuilder.ExecutableMode, binary.Mode);
        var sh = busybox.Single(e => e.Name == "bin/sh");
        Assert.Equal(TarEntryType.SymbolicLink, sh.EntryType);
        Assert.Equal("/bin/busybox", sh.LinkName);
        Assert.All(busybox, e => Assert.Equal(LayerBuilder.ModificationTime, e.ModificationTime));

        var second = Entries(image.Layers[1].Tar).ToDictionary(e => e.Name);
        Assert.Equal(["srv/", "srv/app.conf", "srv/data/", "srv/app.link", "srv/current", "etc/", "etc/.wh.old", "var/", "var/cache/", "var/cache/.wh..wh..opq"], second.Keys);
        Assert.Equal((33, 44), (second["srv/app.conf"].Uid, second["srv/app.conf"].Gid));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, second["srv/data/"].Mode);
        Assert.Equal(TarEntryType.HardLink, second["srv/app.link"].EntryType);
        Assert.Equal("srv/app.conf", second["srv/app.link"].LinkName);
        Assert.Equal(0, second["etc/.wh.old"].Length);
        Assert.All(second.Values, e => Assert.Equal(TarEntryFormat.Pax, e.Format));
    }

    [Fact]
    public void UncompressedLayersAreTheirOwnDiffId()
    {
        var image = new OciImageBuilder().Uncompressed().Layer(l => l.File("a", "a")).Build();
        var layer = Assert.Single(image.Layers);
        Assert.Equal(MediaTypes.OciLayer, layer.MediaType);
        Assert.Equal(layer.Digest, layer.DiffId);
        Assert.Equal(layer.Tar, layer.Bytes);
    }

    [Fact]
    public void DockerFormatUsesDockerMediaTypes()
    {
        var image = Busybox(ImageFormat.Docker).Build();
        Assert.Equal(MediaTypes.DockerManifest, image.MediaType);
        Assert.Equal(MediaTypes.DockerConfig, image.Config!.MediaType);
        Assert.All(image.Layers, l => Assert.Equal(MediaTypes.DockerLayerGzip, l.MediaType));
        using var manifest = JsonDocument.Parse(image.Manifest);
        Assert.Equal(MediaTypes.DockerConfig, manifest.RootElement.GetProperty("config").GetProperty("mediaType").GetString());
    }

    [Fact]
    public void AnIndexListsEachPlatform()
    {
        var index = SampleImages.TwoPlatforms("platforms");
        Assert.True(index.IsIndex);
        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        using var json = JsonDocument.Parse(index.Manifest);
        var manifests = json.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(index.Children.Select(c => c.Digest), manifests.Select(m => m.GetProperty("digest").GetString()));
        var arm = manifests[1].GetProperty("platform");
        Assert.Equal(("arm64", "linux", "v8"), (arm.GetProperty("architecture").GetString(), arm.GetProperty("os").GetString(), arm.GetProperty("variant").GetString()));
        Assert.False(manifests[0].GetProperty("platform").TryGetProperty("variant", out _));
        using var armConfig = JsonDocument.Parse(index.ForPlatform(ImagePlatform.LinuxArm64V8).Config!.Bytes);
        Assert.Equal("v8", armConfig.RootElement.GetProperty("variant").GetString());
        Assert.Equal(MediaTypes.DockerManifestList, SampleImages.TwoPlatforms("platforms", ImageFormat.Docker).MediaType);
    }

    [Fact]
    public void RandomLayersAreIncompressibleAndSeeded()
    {
        var build = (int seed) => new OciImageBuilder().Layer(LayerBuilder.RandomLayer(2, seed)).Build().Layers[0];
        var layer = build(7);
        Assert.True(layer.Size > 2 * 1024 * 1024, $"2 MiB of random files compressed to {layer.Size} bytes");
        Assert.Equal(4, Entries(layer.Tar).Count(e => e.EntryType == TarEntryType.RegularFile));
        Assert.Equal(2 * 1024 * 1024, Entries(layer.Tar).Sum(e => e.Length));
        Assert.Equal(layer.Digest, build(7).Digest);
        Assert.NotEqual(layer.Digest, build(8).Digest);
    }

    private static byte[] Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static List<TarEntry> Entries(byte[] tar)
    {
        var entries = new List<TarEntry>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }
}
