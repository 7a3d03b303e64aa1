using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ZLayer.Runtime;

/// <summary>A runtime's per-replica record on disk (record.json): read when present, replaced all at once.</summary>
internal static class RecordFile
{
    /// <summary>The record, or null when there is none; a malformed one is an error naming the file.</summary>
    public static T? Load<T>(string path, JsonTypeInfo<T> type, string what)
        where T : class
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"{path}: not a valid {what}: {e.Message}", e);
        }
    }

    /// <summary>Temp file, fsync, rename, directory fsync: a crash leaves the old record or the new one, never half of one.</summary>
    public static void Save<T>(string path, T value, JsonTypeInfo<T> type)
    {
        ZLayer.Images.Content.FileSync.Replace(path, JsonSerializer.SerializeToUtf8Bytes(value, type));
    }
}
