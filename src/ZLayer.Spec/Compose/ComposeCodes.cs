namespace ZLayer.Spec.Compose;

/// <summary>Diagnostic codes of the compose importer; stable so tools can filter on them.</summary>
internal static class ComposeCodes
{
    /// <summary>A compose feature accepted in a degraded way or ignored; <c>--strict</c> makes these errors.</summary>
    public const string Compat = "compat";

    public const string File = "compose-file";

    public const string Interpolation = "compose-interpolation";

    public const string UnsetVariable = "compose-unset-variable";

    public const string Type = "type";

    public const string Value = "compose-value";

    public const string Reference = "compose-reference";

    public const string Cycle = "compose-cycle";

    public const string Limit = "compose-limit";

    public const string Conflict = "compose-conflict";

    public const string Profile = "compose-profile";

    public const string Build = "compose-build";

    public const string Name = "compose-name";

    public const string EnvFile = "compose-env-file";
}
