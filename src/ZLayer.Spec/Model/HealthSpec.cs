using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>How a replica's health is checked.</summary>
public sealed class HealthSpec : SpecObject
{
    public static readonly Duration DefaultStartGrace = Duration.FromSeconds(5);
    public static readonly Duration DefaultInterval = Duration.FromSeconds(10);
    public static readonly Duration DefaultTimeout = Duration.FromSeconds(5);

    public Duration? StartGrace { get; set; }

    public Duration? Interval { get; set; }

    public Duration? Timeout { get; set; }

    public uint Retries { get; set; } = 3;

    [SpecRequired]
    public HealthCheckSpec Check { get; set; } = null!;

    [SpecDoc("Extension: restart (default) | isolate | none.")]
    public UnhealthyAction? OnUnhealthy { get; set; }
}

[SpecUnion("type"), SpecOpen]
public sealed class HealthCheckSpec : SpecObject
{
    [SpecRequired]
    public HealthCheckType Type { get; set; }

    [SpecVariant("tcp"), SpecRequired, SpecDoc("0 = the first endpoint's target_port.")]
    public ushort? Port { get; set; }

    [SpecVariant("http"), SpecRequired, SpecDoc("Absolute URL, or a path on the first http endpoint (compatibility form).")]
    public string? Url { get; set; }

    [SpecVariant("http")]
    public ushort? ExpectStatus { get; set; }

    [SpecVariant("command"), SpecRequired, SpecDoc("A shell command run inside the replica; exit 0 = healthy.")]
    public string? Command { get; set; }
}
