using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>How many replicas a service runs: fixed, adaptive between min and max, or manual.</summary>
[SpecUnion("mode")]
public sealed class ScaleSpec : SpecObject
{
    /// <summary>Upstream's default when <c>scale</c> is omitted: adaptive 1..10, cooldown 30 s, no targets.</summary>
    public static ScaleSpec Default => new()
    {
        Mode = ScaleMode.Adaptive,
        Min = 1,
        Max = 10,
        Cooldown = Duration.FromSeconds(30),
    };

    [SpecRequired]
    public ScaleMode Mode { get; set; }

    [SpecVariant("fixed"), SpecRequired]
    public uint? Replicas { get; set; }

    [SpecVariant("adaptive"), SpecRequired]
    public uint? Min { get; set; }

    [SpecVariant("adaptive"), SpecRequired]
    public uint? Max { get; set; }

    [SpecVariant("adaptive")]
    public Duration? Cooldown { get; set; }

    [SpecVariant("adaptive")]
    public ScaleTargets? Targets { get; set; }

    /// <summary>Replicas started on deploy: fixed uses replicas, adaptive min, manual none.</summary>
    public uint InitialReplicas => Mode switch
    {
        ScaleMode.Fixed => Replicas ?? 0,
        ScaleMode.Adaptive => Min ?? 0,
        _ => 0,
    };
}

public sealed class ScaleTargets : SpecObject
{
    [SpecDoc("CPU utilisation target in percent (1-100).")]
    public byte? Cpu { get; set; }

    [SpecDoc("Memory utilisation target in percent (1-100).")]
    public byte? Memory { get; set; }

    [SpecDoc("Requests per second per replica.")]
    public uint? Rps { get; set; }
}
