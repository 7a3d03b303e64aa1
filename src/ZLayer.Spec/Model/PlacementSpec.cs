using System.Text.Json.Serialization;
using ZLayer.Spec.Binding;

namespace ZLayer.Spec.Model;

public sealed class NodeSelectorSpec : SpecObject
{
    [SpecDoc("Every pair must match a node label (hard).")]
    public Dictionary<string, string> Labels { get; set; } = [];

    [SpecDoc("Nodes matching more pairs rank higher (soft).")]
    public Dictionary<string, string> PreferLabels { get; set; } = [];
}

[SpecOpen]
public sealed class PlatformSpec : SpecObject
{
    public PlatformOs? Os { get; set; }

    public PlatformArch? Arch { get; set; }

    [JsonPropertyName("osVersion")]
    public string? OsVersion { get; set; }
}

/// <summary>A set of replicas with a role and its own overrides.</summary>
public sealed class ReplicaGroupSpec : SpecObject
{
    [SpecRequired, SpecDoc("1-30 characters: lowercase letters, digits, '-', starting with a letter.")]
    public string Role { get; set; } = "";

    [SpecRequired]
    public uint Count { get; set; }

    public ImageSpec? Image { get; set; }

    public CommandSpec? Command { get; set; }

    public ResourcesSpec? Resources { get; set; }

    public EnvMap Env { get; set; } = [];

    public Affinity? Affinity { get; set; }
}
