namespace ZLayer.TestImages.Registry;

/// <summary>Starting settings of a <see cref="TokenServer"/>; the switches tests flip later are on the server.</summary>
public sealed class TokenServerOptions
{
    public string Service { get; init; } = TokenServer.DefaultService;

    public string Issuer { get; init; } = TokenServer.DefaultIssuer;

    /// <summary>When set, token requests must carry these credentials (basic auth, or the password grant's form fields).</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);
}
