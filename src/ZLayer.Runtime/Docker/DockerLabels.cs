using System.Globalization;
using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// The labels that make a Docker container or network one of ours: which runtime scope owns it
/// (one per node, so two nodes sharing an engine never adopt each other's), which replica it is,
/// and what it mounts. A restarted daemon finds its replicas again by these alone.
/// </summary>
internal static class DockerLabels
{
    public const string Scope = "zlayer.scope";
    public const string Replica = "zlayer.replica";
    public const string Deployment = "zlayer.deployment";
    public const string Service = "zlayer.service";
    public const string Index = "zlayer.index";

    /// <summary>The named volumes the container mounts, comma separated (volume names have no commas).</summary>
    public const string Volumes = "zlayer.volumes";

    /// <summary>The service's labels, then our identity, then what the agent asked us to keep (spec hash, ports).</summary>
    public static Dictionary<string, string> For(ReplicaLaunchSpec spec, string scope, IEnumerable<string> volumes)
    {
        var labels = new Dictionary<string, string>(spec.Service.Labels, StringComparer.Ordinal)
        {
            [Scope] = scope,
            [Replica] = spec.ReplicaId,
            [Deployment] = spec.Deployment,
            [Service] = spec.ServiceName,
            [Index] = spec.Index.ToString(CultureInfo.InvariantCulture),
        };
        var named = string.Join(',', volumes);
        if (named.Length > 0)
        {
            labels[Volumes] = named;
        }

        foreach (var (key, value) in spec.Labels)
        {
            labels[key] = value;
        }

        return labels;
    }

    public static Dictionary<string, string> Read(JsonNode? labels) =>
        labels is JsonObject map
            ? map.Where(l => l.Value is JsonValue).ToDictionary(l => l.Key, l => l.Value!.GetValue<string>(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The engine's filter for objects carrying all of <paramref name="labels"/>.</summary>
    public static string Filter(params (string Key, string Value)[] labels) =>
        DockerEngine.Query(new JsonObject { ["label"] = new JsonArray([.. labels.Select(l => (JsonNode?)$"{l.Key}={l.Value}")]) }.ToJsonString());
}
