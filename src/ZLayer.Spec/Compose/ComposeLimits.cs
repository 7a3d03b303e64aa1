namespace ZLayer.Spec.Compose;

/// <summary>
/// Bounds on what one compose project may cost to load. <c>include</c> and <c>extends</c> can pull in
/// other files, and ranges and nested defaults can multiply work, so a hostile or broken project has
/// to hit a diagnostic rather than exhaust memory, time or the stack.
/// </summary>
internal sealed record ComposeLimits
{
    public static readonly ComposeLimits Default = new();

    public int MaxIncludeDepth { get; init; } = 16;

    public int MaxExtendsDepth { get; init; } = 16;

    /// <summary>Compose, extends, include and env files read in one load.</summary>
    public int MaxFiles { get; init; } = 256;

    public long MaxTotalBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How deep <c>${A:-${B:-...}}</c> defaults may nest.</summary>
    public int MaxInterpolationDepth { get; init; } = 32;

    /// <summary>Port mappings one service may expand to (ranges such as 8000-9000 expand to one per port).</summary>
    public int MaxPortMappingsPerService { get; init; } = 4096;
}
