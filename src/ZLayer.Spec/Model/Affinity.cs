namespace ZLayer.Spec.Model;

public enum AffinityKind { Spread, Pack, Pin }

/// <summary>Placement preference: <c>spread</c>, <c>pack</c>, or <c>{pin: "key=value"}</c>.</summary>
public sealed record Affinity(AffinityKind Kind, string? Pin = null)
{
    public override string ToString() => Kind == AffinityKind.Pin ? $"pin {Pin}" : Kind.ToString().ToLowerInvariant();
}
