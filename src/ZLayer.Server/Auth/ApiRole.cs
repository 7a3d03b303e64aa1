namespace ZLayer.Server.Auth;

/// <summary>
/// What a caller may do, in increasing power: each role may do everything the ones below it may.
/// The numeric order is the hierarchy; comparisons rely on it.
/// </summary>
public enum ApiRole
{
    /// <summary>Read: list and inspect deployments, replicas, logs, events, images, stats.</summary>
    Viewer = 1,

    /// <summary>Viewer, plus change what runs: deploy, down, scale, restart, trigger jobs, exec, pull.</summary>
    Operator = 2,

    /// <summary>Everything: tokens, registry credentials, images and volumes removal.</summary>
    Admin = 3,
}

/// <summary>The roles as they are written in tokens, requests and on the command line.</summary>
public static class ApiRoles
{
    public static IReadOnlyList<string> Names { get; } = ["viewer", "operator", "admin"];

    public static string Name(this ApiRole role) => role switch
    {
        ApiRole.Viewer => "viewer",
        ApiRole.Operator => "operator",
        ApiRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not a role"),
    };

    public static bool TryParse(string? text, out ApiRole role)
    {
        role = text switch
        {
            "viewer" => ApiRole.Viewer,
            "operator" => ApiRole.Operator,
            "admin" => ApiRole.Admin,
            _ => 0,
        };
        return role != 0;
    }

    /// <summary>Whether a caller with <paramref name="held"/> may do what needs <paramref name="needed"/>.</summary>
    public static bool Allows(this ApiRole held, ApiRole needed) => held >= needed;
}
