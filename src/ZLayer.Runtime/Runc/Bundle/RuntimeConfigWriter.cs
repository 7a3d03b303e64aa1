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
    public static async Task<string> WriteAsync(string bundleDirectory, JsonObject config, CancellationToken cancellationToken = default)
    {
        var target = Path.Combine(bundleDirectory, FileName);
        var temporary = Path.Combine(bundleDirectory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                // It names the replica's environment, which may hold secrets.
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            await using (var stream = new FileStream(temporary, options))
            {
                await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    config.WriteTo(writer, Indented);
                }

                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
            FileSync.Directory(bundleDirectory);
            return target;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
