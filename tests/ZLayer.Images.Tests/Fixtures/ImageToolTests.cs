using System.Text.Json;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Tools;

namespace ZLayer.Images.Tests.Fixtures;

/// <summary>Layouts and archives the builder writes are read by real tools (skopeo, umoci), not only by our own code.</summary>
public sealed class ImageToolTests
{
    private const string Skopeo = "/usr/bin/skopeo";
    private const string Umoci = "/usr/bin/umoci";

    private static BuiltImage BusyboxImage(ImageFormat format = ImageFormat.Oci) =>
        new OciImageBuilder()
            .Format(format)
            .Layer(l => l.Busybox().File("etc/old", "old").File("var/cache/stale", "stale"))
            .Layer(l => l.Whiteout("etc/old").OpaqueDirectory("var/cache").File("var/cache/fresh", "fresh").File("srv/hello", "hello", uid: 1000, gid: 1000).HardLink("srv/hello.link", "srv/hello"))
            .Cmd("/bin/sh")
            .Build();

    [Fact]
    public async Task SkopeoReadsTheOciLayout()
    {
        using var dir = new TempDirectory();
        var image = BusyboxImage();
        image.WriteOciLayout(dir.Path, "v1");
        SampleImages.Small("second tag").WriteOciLayout(dir.Path, "v2");

        using var inspect = await InspectAsync($"oci:{dir.Path}:v1");
        Assert.Equal(image.Digest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal("amd64", inspect.RootElement.GetProperty("Architecture").GetString());
        Assert.Equal(image.Layers.Select(l => l.Digest), inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));

        using var second = await InspectAsync($"oci:{dir.Path}:v2");
        Assert.Equal(SampleImages.Small("second tag").Digest, second.RootElement.GetProperty("Digest").GetString());
    }

    [Fact]
    public async Task SkopeoReadsAnIndexLayoutAndPicksThePlatform()
    {
        using var dir = new TempDirectory();
        var index = SampleImages.TwoPlatforms("layout index");
        index.WriteOciLayout(dir.Path, "multi");

        var raw = (await ExternalTool.RunAsync(Skopeo, ["inspect", "--raw", $"oci:{dir.Path}:multi"])).EnsureSuccess();
        Assert.Equal(index.Manifest, System.Text.Encoding.UTF8.GetBytes(raw.StandardOutput.TrimEnd('\n')));

        // skopeo reports the index's digest, and reads the config of the platform it picked.
        using var arm = await InspectAsync($"oci:{dir.Path}:multi", "--override-arch", "arm64", "--override-variant", "v8");
        Assert.Equal(index.Digest, arm.RootElement.GetProperty("Digest").GetString());
        Assert.Equal("arm64", arm.RootElement.GetProperty("Architecture").GetString());
        var config = (await ExternalTool.RunAsync(Skopeo, ["--override-arch", "arm64", "--override-variant", "v8", "inspect", "--config", "--raw", $"oci:{dir.Path}:multi"])).EnsureSuccess();
        Assert.Equal(index.ForPlatform(ImagePlatform.LinuxArm64V8).Config!.Bytes, System.Text.Encoding.UTF8.GetBytes(config.StandardOutput.TrimEnd('\n')));
    }

    [Fact]
    public async Task SkopeoReadsTheOciArchiveAndTheDockerArchive()
    {
        using var dir = new TempDirectory();
        var ociImage = BusyboxImage();
        var ociArchive = dir.Join("image.oci.tar");
        ociImage.WriteOciLayoutTar(ociArchive, "v1");
        using (var oci = await InspectAsync($"oci-archive:{ociArchive}:v1"))
        {
            Assert.Equal(ociImage.Digest, oci.RootElement.GetProperty("Digest").GetString());
        }

        var image = BusyboxImage(ImageFormat.Docker);

        var dockerArchive = dir.Join("image.docker.tar");
        image.WriteDockerArchive(dockerArchive, "example.test/busybox:v1");
        // Naming the tag makes skopeo look it up in manifest.json's RepoTags.
        using var docker = await InspectAsync($"docker-archive:{dockerArchive}:example.test/busybox:v1");
        Assert.Equal("example.test/busybox", docker.RootElement.GetProperty("Name").GetString());
        // docker-archive layers are the uncompressed tars, named by diff ID.
        Assert.Equal(image.Layers.Select(l => l.DiffId), docker.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("amd64", docker.RootElement.GetProperty("Architecture").GetString());
    }

    [Fact]
    public async Task UmociUnpacksTheLayoutWithWhiteoutsApplied()
    {
        using var dir = new TempDirectory();
        BusyboxImage().WriteOciLayout(dir.Join("layout"), "v1");
        var bundle = dir.Join("bundle");
        (await ExternalTool.RunAsync(Umoci, ["unpack", "--rootless", "--image", $"{dir.Join("layout")}:v1", bundle])).EnsureSuccess();

        var rootfs = Path.Join(bundle, "rootfs");
        Assert.Equal(new FileInfo(LayerBuilder.BusyboxSource).Length, new FileInfo(Path.Join(rootfs, "bin/busybox")).Length);
        Assert.Equal("/bin/busybox", new FileInfo(Path.Join(rootfs, "bin/sh")).LinkTarget);
        Assert.False(File.Exists(Path.Join(rootfs, "etc/old")));
        Assert.Equal(["fresh"], Directory.EnumerateFileSystemEntries(Path.Join(rootfs, "var/cache")).Select(Path.GetFileName));
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Join(rootfs, "srv/hello.link")));
    }

    private static async Task<JsonDocument> InspectAsync(string reference, params string[] options)
    {
        var result = (await ExternalTool.RunAsync(Skopeo, [.. options, "inspect", reference])).EnsureSuccess();
        return JsonDocument.Parse(result.StandardOutput);
    }
}
