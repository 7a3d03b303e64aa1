using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Images.Content;
using ZLayer.Images.Manifests;

namespace ZLayer.Images.Store;

/// <summary>
/// The table of stored references, one JSON file rewritten whole (temp file, fsync, rename) on
/// every change: small, readable by an operator, never half-written.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ImageRecords
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private Dictionary<string, ImageRecord> _records;

    public ImageRecords(string path)
    {
        _path = path;
        _records = File.Exists(path) ? Load(path) : new(StringComparer.Ordinal);
    }

    public IReadOnlyList<ImageRecord> All()
    {
        lock (_lock)
        {
            return _records.Values.OrderBy(r => r.Reference, StringComparer.Ordinal).ToList();
        }
    }

    public ImageRecord? Find(string reference)
    {
        lock (_lock)
        {
            return _records.GetValueOrDefault(reference);
        }
    }

    public void Put(ImageRecord record)
    {
        lock (_lock)
        {
            var next = new Dictionary<string, ImageRecord>(_records, StringComparer.Ordinal) { [record.Reference] = record };
            Save(next);
            _records = next;
        }
    }

    public bool Remove(string reference)
    {
        lock (_lock)
        {
            if (!_records.ContainsKey(reference))
            {
                return false;
            }

            var next = new Dictionary<string, ImageRecord>(_records, StringComparer.Ordinal);
            next.Remove(reference);
            Save(next);
            _records = next;
            return true;
        }
    }

    private void Save(Dictionary<string, ImageRecord> records)
    {
        var images = new JsonArray();
        foreach (var r in records.Values.OrderBy(r => r.Reference, StringComparer.Ordinal))
        {
            var layers = new JsonArray();
            foreach (var l in r.Layers)
            {
                layers.Add(new JsonObject
                {
                    ["digest"] = l.Digest.ToString(),
                    ["diffId"] = l.DiffId.ToString(),
                    ["size"] = l.Size,
                    ["mediaType"] = l.MediaType,
                });
            }

            images.Add(new JsonObject
            {
                ["reference"] = r.Reference,
                ["topDigest"] = r.TopDigest.ToString(),
                ["manifestDigest"] = r.ManifestDigest.ToString(),
                ["manifestMediaType"] = r.ManifestMediaType,
                ["configDigest"] = r.ConfigDigest.ToString(),
                ["platform"] = r.Platform.ToString(),
                ["storedAt"] = r.StoredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["layers"] = layers,
            });
        }

        var json = new JsonObject { ["images"] = images }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        FileSync.Replace(_path, Encoding.UTF8.GetBytes(json));
    }

    private static Dictionary<string, ImageRecord> Load(string path)
    {
        var name = Path.GetFullPath(path);
        var reader = new JsonPathReader(name);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = reader.Object(document.RootElement, "$");
        var records = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        foreach (var (item, at) in reader.Array(root, "images", "$", required: true))
        {
            reader.Object(item, at);
            var platformText = reader.String(item, "platform", at);
            if (!Platform.TryParse(platformText, out var platform))
            {
                throw reader.Error($"{at}.platform", $"'{platformText}' is not os/arch[/variant]");
            }

            var layers = reader.Array(item, "layers", at, required: true)
                .Select(l => new LayerRecord(
                    reader.Digest(reader.Object(l.Item, l.Path), "digest", l.Path),
                    reader.Digest(l.Item, "diffId", l.Path),
                    reader.Size(l.Item, "size", l.Path),
                    reader.String(l.Item, "mediaType", l.Path)))
                .ToList();
            var storedText = reader.String(item, "storedAt", at);
            var record = new ImageRecord(
                reader.String(item, "reference", at),
                reader.Digest(item, "topDigest", at),
                reader.Digest(item, "manifestDigest", at),
                reader.String(item, "manifestMediaType", at),
                reader.Digest(item, "configDigest", at),
                platform,
                layers,
                DateTimeOffset.TryParse(storedText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var stored)
                    ? stored
                    : throw reader.Error($"{at}.storedAt", $"'{storedText}' is not a time"));
            records[record.Reference] = record;
        }

        return records;
    }
}
