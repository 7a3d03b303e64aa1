using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;

namespace ZLayer.Runtime.Tests.Runc;

[SupportedOSPlatform("linux")]
public sealed class RuntimeConfigWriterTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Writes_config_json_private_and_replaces_the_previous_one_leaving_no_temporary_file()
    {
        await RuntimeConfigWriter.WriteAsync(_directory.Path, new JsonObject { ["ociVersion"] = "old" });
        var path = await RuntimeConfigWriter.WriteAsync(_directory.Path, new JsonObject { ["ociVersion"] = "1.0.2", ["process"] = new JsonObject { ["args"] = new JsonArray("sh") } });

        Assert.Equal(Path.Combine(_directory.Path, "config.json"), path);
        Assert.Equal("1.0.2", (string)JsonNode.Parse(await File.ReadAllTextAsync(path))!["ociVersion"]!);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["config.json"], Directory.GetFileSystemEntries(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_missing_bundle_directory_fails_and_leaves_nothing()
    {
        var missing = Path.Combine(_directory.Path, "absent");

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => RuntimeConfigWriter.WriteAsync(missing, []));
        Assert.False(Directory.Exists(missing));
    }
}
