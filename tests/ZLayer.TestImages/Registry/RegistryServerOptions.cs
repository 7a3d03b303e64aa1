namespace ZLayer.TestImages.Registry;

/// <summary>What kind of registry <see cref="RegistryServer.StartAsync(RegistryServerOptions?, CancellationToken)"/> runs.</summary>
public sealed class RegistryServerOptions
{
    public RegistryAuthMode Auth { get; init; } = RegistryAuthMode.Anonymous;

    /// <summary>The one user of a <see cref="RegistryAuthMode.Basic"/> registry.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>The token server a <see cref="RegistryAuthMode.Token"/> registry trusts.</summary>
    public TokenServer? Tokens { get; init; }

    /// <summary>Makes the registry a pull-through cache of this registry (pushes are then refused).</summary>
    public Uri? ProxyRemote { get; init; }

    public string? ProxyUsername { get; init; }

    public string? ProxyPassword { get; init; }

    /// <summary>How long starting may take before it fails with the registry's log.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Keep the registry's directory (config, storage, log) after disposal, for diagnosis.</summary>
    public bool KeepFiles { get; init; } = Environment.GetEnvironmentVariable("ZLAYER_TEST_KEEP_REGISTRY") == "1";
}
