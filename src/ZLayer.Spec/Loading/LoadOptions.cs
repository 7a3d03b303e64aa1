namespace ZLayer.Spec.Loading;

public sealed record LoadOptions
{
    /// <summary>Compatibility forms become errors instead of warnings (<c>zlayer validate --strict</c>).</summary>
    public bool Strict { get; init; }

    /// <summary>The environment for compose interpolation; null means the process environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Active compose profiles.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>Compose project name override (<c>-p</c>).</summary>
    public string? ProjectName { get; init; }

    /// <summary>Force the format instead of detecting it from the file name and content.</summary>
    public SpecFormat? Format { get; init; }
}
