using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Images.Content;

namespace ZLayer.Networking.Cni;

/// <summary>
/// The ADD results the specification requires a runtime to keep for DEL and CHECK, one file per
/// (network, container id, interface) as its state key. Writes are atomic (temp file, fsync,
/// rename, fsync of the directory), so after a crash a file holds a whole record or is absent.
/// </summary>
internal sealed class AttachmentCache(string directory)
{
    private const string Kind = "zlayer-cni-attachment";
    private const int FormatVersion = 1;
    private const string Suffix = ".json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Directory { get; } = directory;

    /// <summary>
    /// The file for one attachment. ':' cannot occur in network names, container ids or interface
    /// names, so it separates them without ambiguity ("a-b" + "c" and "a" + "b-c" differ).
    /// </summary>
    public string PathOf(string network, string containerId, string interfaceName) =>
        Path.Combine(Directory, $"{network}:{containerId}:{interfaceName}{Suffix}");

    public CachedAttachment? Read(string network, string containerId, string interfaceName)
    {
        var path = PathOf(network, containerId, interfaceName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException e)
        {
            throw new CniCacheException($"cannot read cached CNI result {path}: {e.Message}", path, containerId, e);
        }
        var record = Parse(bytes, path);
        if (record.Network != network || record.ContainerId != containerId || record.InterfaceName != interfaceName)
        {
            throw new CniCacheException(
                $"cached CNI result {path} is for {record.Network}/{record.ContainerId}/{record.InterfaceName}, not {network}/{containerId}/{interfaceName}",
                path, containerId);
        }
        return record;
    }

    /// <summary>Every cached attachment on <paramref name="network"/>.</summary>
    public IReadOnlyList<CachedAttachment> List(string network)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }
        return System.IO.Directory.EnumerateFiles(Directory, $"{network}:*{Suffix}")
            .Order(StringComparer.Ordinal)
            .Select(path => Parse(ReadForList(path), path))
            .Where(record => record.Network == network)
            .ToList();
    }

    public void Write(CachedAttachment record)
    {
        var path = PathOf(record.Network, record.ContainerId, record.InterfaceName);
        var json = new JsonObject
        {
            ["kind"] = Kind,
            ["formatVersion"] = FormatVersion,
            ["network"] = record.Network,
            ["containerId"] = record.ContainerId,
            ["interface"] = record.InterfaceName,
            ["netns"] = record.NetnsPath,
            ["config"] = record.Config.ToJson(),
            ["capabilityArgs"] = record.CapabilityArgs.DeepClone(),
            ["result"] = record.Result.DeepClone(),
        };
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            FileSync.Replace(path, Encoding.UTF8.GetBytes(json.ToJsonString(Indented) + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniCacheException($"cannot write cached CNI result {path}: {e.Message}", path, record.ContainerId, e);
        }
    }

    /// <summary>Removes the record after a successful DEL, as the specification requires; absent is fine.</summary>
    public void Delete(string network, string containerId, string interfaceName)
    {
        var path = PathOf(network, containerId, interfaceName);
        try
        {
            File.Delete(path);
            FileSync.Directory(Directory);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniCacheException($"cannot delete cached CNI result {path}: {e.Message}", path, containerId, e);
        }
    }

    private static byte[] ReadForList(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new CniCacheException($"cannot read cached CNI result {path}: {e.Message}", path, inner: e);
        }
    }

    private static CachedAttachment Parse(byte[] bytes, string path)
    {
        try
        {
            var json = Json.ParseObject(bytes, "the file");
            if (Json.OptionalString(json, "kind", "cache") != Kind)
            {
                throw new FormatException($"it is not a ZLayer CNI cache record ('kind' is not '{Kind}')");
            }
            if (json["formatVersion"] is not JsonValue version || !version.TryGetValue<int>(out var number) || number != FormatVersion)
            {
                throw new FormatException($"cache.formatVersion is not {FormatVersion}");
            }
            var network = Json.RequiredString(json, "network", "cache");
            var containerId = Json.RequiredString(json, "containerId", "cache");
            var interfaceName = Json.RequiredString(json, "interface", "cache");
            var netns = Json.RequiredString(json, "netns", "cache");
            var config = NetworkConfigList.FromJson(Json.RequiredObject(json, "config", "cache"), "cache.config");
            var capabilityArgs = (JsonObject)Json.RequiredObject(json, "capabilityArgs", "cache").DeepClone();
            var result = (JsonObject)Json.RequiredObject(json, "result", "cache").DeepClone();
            CniResultReader.Read(result);
            return new CachedAttachment(network, containerId, interfaceName, netns, config, capabilityArgs, result);
        }
        catch (FormatException e)
        {
            throw new CniCacheException($"cached CNI result {path} is unusable: {e.Message}", path);
        }
    }
}
