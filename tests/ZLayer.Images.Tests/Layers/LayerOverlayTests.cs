using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ZLayer.Images.Layers;
using ZLayer.Images.Store;

namespace ZLayer.Images.Tests.Layers;

/// <summary>
/// Layers cached for overlayfs: each in its own directory, whiteouts recorded the way overlayfs
/// reads them. The proof is a real overlay mount of the cached layers (as root, as the runtime is).
/// </summary>
public sealed class LayerOverlayTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("zlayer-overlay-");
    private readonly List<string> _mounts = [];

    private LayerCache Cache => new(Path.Combine(_root.FullName, "layers"));

    private static async Task<string> CacheAsync(LayerCache cache, TarLayerBuilder layer) =>
        await cache.EnsureAsync(layer.DiffId(), LayerFormat.OciTar, () => new MemoryStream(layer.Tar(), writable: false), null, CancellationToken.None);

    [Fact]
    public async Task A_whiteout_is_a_zero_zero_character_device_and_an_opaque_directory_is_marked()
    {
        var layer = new TarLayerBuilder().Directory("etc").File("etc/.wh.gone", "").Directory("var/cache").File("var/cache/.wh..wh..opq", "").File("var/cache/new", "n");

        var directory = await CacheAsync(Cache, layer);

        Assert.Equal("character special file 0:0", Run("stat", "-c", "%F %t:%T", Path.Combine(directory, "etc", "gone")).Trim());
        Assert.False(File.Exists(Path.Combine(directory, "etc", ".wh.gone")));
        Assert.Equal("y", Xattr(Path.Combine(directory, "var", "cache"), Environment.IsPrivilegedProcess ? "trusted.overlay.opaque" : "user.overlay.opaque"));
        Assert.Equal("n", File.ReadAllText(Path.Combine(directory, "var", "cache", "new")));
    }

    [Fact]
    public async Task Mounted_as_overlay_lower_directories_the_layers_show_the_image_as_applied()
    {
        Assert.True(Environment.IsPrivilegedProcess, "overlay mounts need root; .ci/run runs the tests as root");
        var cache = Cache;
        var bottom = await CacheAsync(cache, new TarLayerBuilder()
            .Directory("etc").File("etc/keep", "k").File("etc/remove", "r")
            .Directory("var/cache").File("var/cache/old", "o"));
        var top = await CacheAsync(cache, new TarLayerBuilder()
            .File("etc/.wh.remove", "")
            .Directory("var/cache").File("var/cache/.wh..wh..opq", "").File("var/cache/new", "n"));

        var merged = Mount(top, bottom);

        Assert.Equal(["keep"], Directory.EnumerateFileSystemEntries(Path.Combine(merged, "etc")).Select(Path.GetFileName));
        Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(Path.Combine(merged, "var", "cache")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Extended_attributes_are_set_and_binary_ones_are_noted_not_mangled()
    {
        var layer = new TarLayerBuilder()
            .FileWithXattrs("bin/tool", "#!/bin/sh", new Dictionary<string, string> { ["user.origin"] = "zlayer-test" });
        var target = Path.Combine(_root.FullName, "xattr");

        var result = await LayerUnpacker.UnpackAsync(new MemoryStream(layer.Tar()), LayerFormat.OciTar, target, layer.DiffId());

        Assert.Equal("zlayer-test", Xattr(Path.Combine(target, "bin", "tool"), "user.origin"));
        Assert.Empty(result.Notes);

        var binary = new TarLayerBuilder()
            .FileWithXattrs("bin/ping", "x", new Dictionary<string, string> { ["security.capability"] = "\uFFFD\u0001" });
        var noted = await LayerUnpacker.UnpackAsync(new MemoryStream(binary.Tar()), LayerFormat.OciTar, Path.Combine(_root.FullName, "binary"), binary.DiffId());
        Assert.Contains(noted.Notes, n => n.StartsWith("bin/ping: xattr security.capability not set", StringComparison.Ordinal));
    }

    private string Mount(params string[] lowerTopFirst)
    {
        var upper = Directory.CreateDirectory(Path.Combine(_root.FullName, "upper")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(_root.FullName, "work")).FullName;
        var merged = Directory.CreateDirectory(Path.Combine(_root.FullName, "merged")).FullName;
        Run("mount", "-t", "overlay", "overlay", "-o", $"lowerdir={string.Join(':', lowerTopFirst)},upperdir={upper},workdir={work}", merged);
        _mounts.Add(merged);
        return merged;
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {error.Result}");
        return output;
    }

    private static string? Xattr(string path, string name)
    {
        var buffer = new byte[256];
        var n = LGetXattr(Encoding.UTF8.GetBytes(path + "\0"), Encoding.UTF8.GetBytes(name + "\0"), buffer, (nuint)buffer.Length);
        return n < 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)n);
    }

    [DllImport("libc", EntryPoint = "lgetxattr", SetLastError = true)]
    private static extern nint LGetXattr(byte[] path, byte[] name, byte[] value, nuint size);

    public void Dispose()
    {
        foreach (var mount in _mounts)
        {
            Run("umount", mount);
        }

        _root.Delete(recursive: true);
    }
}
