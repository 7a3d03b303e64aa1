using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>A service this one waits for before it starts.</summary>
public sealed class DependsSpec : SpecObject
{
    [SpecRequired]
    public string Service { get; set; } = "";

    public DependsCondition Condition { get; set; } = DependsCondition.Healthy;

    [SpecDoc("How long to wait; default 300s.")]
    public Duration? Timeout { get; set; }

    public TimeoutAction OnTimeout { get; set; } = TimeoutAction.Fail;

    public static readonly Duration DefaultTimeout = Duration.FromSeconds(300);
}
