namespace ZLayer.Spec.Yaml;

/// <summary>
/// Bounds on what one input may cost to read: these keep a hostile or broken file (an alias bomb,
/// a runaway nesting, a huge paste) from taking the loader's memory or time.
/// </summary>
public sealed record YamlReadLimits
{
    public static readonly YamlReadLimits Default = new();

    public long MaxBytes { get; init; } = 32L * 1024 * 1024;

    public int MaxDepth { get; init; } = 128;

    /// <summary>Nodes counted after alias expansion: what any consumer walking the tree can visit.</summary>
    public long MaxExpandedNodes { get; init; } = 4_000_000;
}
