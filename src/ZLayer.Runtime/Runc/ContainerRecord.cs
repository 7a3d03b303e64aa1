using System.Text.Json.Serialization;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// What the runtime keeps about one container (record.json) so that a restarted daemon can find,
/// describe and remove it: its labels, its image, its cgroup and network. Environment values are
/// never stored here (they may be secrets); they live only in the bundle, readable by root alone.
/// </summary>
internal sealed class ContainerRecord
{
    public int Version { get; set; } = 1;

    public string ReplicaId { get; set; } = "";

    /// <summary>Random per creation, so a handle of a removed and re-created replica is not mistaken for the new one.</summary>
    public string RuntimeId { get; set; } = "";

    public string Image { get; set; } = "";

    public string ManifestDigest { get; set; } = "";

    public string CgroupsPath { get; set; } = "";

    /// <summary>The network namespace the network layer made, to be torn down with the container; null when there is none to remove.</summary>
    public string? NetworkNamespace { get; set; }

    public string? Address { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>The named volumes the container mounts, which must not be removed under it.</summary>
    public List<string> Volumes { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public static ContainerRecord? Load(string path) => RecordFile.Load(path, ContainerRecordJson.Default.ContainerRecord, "container record");

    public void Save(string path) => RecordFile.Save(path, this, ContainerRecordJson.Default.ContainerRecord);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class ContainerRecordJson : JsonSerializerContext;
