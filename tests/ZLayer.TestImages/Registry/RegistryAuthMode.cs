namespace ZLayer.TestImages.Registry;

/// <summary>How a <see cref="RegistryServer"/> asks clients to authenticate.</summary>
public enum RegistryAuthMode
{
    Anonymous,

    /// <summary>HTTP basic auth against an htpasswd (bcrypt) file.</summary>
    Basic,

    /// <summary>Bearer tokens from a <see cref="TokenServer"/>.</summary>
    Token,
}
