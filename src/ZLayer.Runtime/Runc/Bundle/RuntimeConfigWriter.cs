using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Images.Content;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// Writes config.json into a bundle directory so that runc (or a crash) never sees half a file:
/// a temporary file in the same directory, flushed to disk, then renamed over the old one, and the
/// directory synced so the rename itself survives a power loss.
/// </summary>
[SupportedOSPlatform("linux")]
public static class RuntimeConfigWriter
{
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <returns>The path of the written config.json.</returns>
    public static Task<string> WriteAsync(string bundleDirectory, JsonObject config, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = Path.Combine(bundleDirectory, FileName);

        // It names the replica's environment, which may hold secrets: owner-only.
        FileSync.Replace(target, JsonSerializer.SerializeToUtf8Bytes(config, Indented), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return Task.FromResult(target);
    }
}
