using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using ZLayer.Images.Content;
using ZLayer.TestImages.Tools;

namespace ZLayer.Images.Tests.Layers;

/// <summary>
/// Layers written by Go's archive/tar (as docker, buildkit, umoci and most registries' images
/// are), here by umoci from a real directory: not only what .NET's TarWriter produces.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class GoWrittenLayerTests : IDisposable
{
    private readonly LayerSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_umoci_layer_with_files_and_symlinks_unpacks_with_its_diff_id()
    {
        var source = Path.Combine(_sandbox.Base, "source");
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        await File.WriteAllTextAsync(Path.Combine(source, "bin", "tool"), "#!/bin/sh\necho tool\n");
        File.SetUnixFileMode(Path.Combine(source, "bin", "tool"), TarLayerBuilder.DirMode755);
        File.CreateSymbolicLink(Path.Combine(source, "bin", "sh"), "tool");
        File.CreateSymbolicLink(Path.Combine(source, "bin", "sleep"), "tool");

        var layout = Path.Combine(_sandbox.Base, "layout");
        await Umoci("init", "--layout", layout);
        await Umoci("new", "--image", layout + ":t");
        await Umoci("insert", "--image", layout + ":t", Path.Combine(source, "bin"), "/bin");

        var (blob, mediaType, diffId) = ReadOnlyLayer(layout);
        var result = await _sandbox.UnpackAsync(blob, diffId, mediaType);

        Assert.Equal(diffId, result.DiffId);
        Assert.Equal("#!/bin/sh\necho tool\n", await File.ReadAllTextAsync(_sandbox.InTarget("bin/tool")));
        Assert.Equal("tool", new FileInfo(_sandbox.InTarget("bin/sleep")).LinkTarget);
        Assert.Equal("tool", new FileInfo(_sandbox.InTarget("bin/sh")).LinkTarget);
    }

    private static async Task Umoci(params string[] arguments)
    {
        var result = await ExternalTool.RunAsync("umoci", arguments);
        Assert.True(result.ExitCode == 0, $"umoci {string.Join(' ', arguments)}: {result.StandardError}");
    }

    private static (byte[] Blob, string MediaType, Digest DiffId) ReadOnlyLayer(string layout)
    {
        JsonNode Blob(string digest) => JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..])))!;
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifest = Blob((string)index["manifests"]![0]!["digest"]!);
        var config = Blob((string)manifest["config"]!["digest"]!);
        var layer = manifest["layers"]![0]!;
        var bytes = File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", ((string)layer["digest"]!)["sha256:".Length..]));
        return (bytes, (string)layer["mediaType"]!, Digest.Parse((string)config["rootfs"]!["diff_ids"]![0]!));
    }
}
