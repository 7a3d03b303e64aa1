namespace ZLayer.Spec.Compose;

/// <summary>How a compose project is read: the environment it is interpolated with, its active profiles and its name.</summary>
public sealed record ComposeOptions
{
    /// <summary>The process environment; null means <see cref="System.Environment.GetEnvironmentVariables()"/>.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Active profiles; <c>COMPOSE_PROFILES</c> (comma-separated) from the environment or <c>.env</c> adds to these.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>
    /// The project name; otherwise <c>COMPOSE_PROJECT_NAME</c>, the top-level <c>name:</c>, then the first
    /// file's directory name. Whichever is used is sanitised into a valid deployment name.
    /// </summary>
    public string? ProjectName { get; init; }
}
