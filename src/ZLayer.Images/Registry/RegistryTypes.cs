namespace ZLayer.Images.Registry;

/// <summary>A place to fetch a registry's content from: a mirror, or the registry itself.</summary>
public sealed record RegistryEndpoint(Uri BaseUri, bool IsMirror);

/// <summary>A username and password (or token) for one registry. Never logged.</summary>
public sealed record RegistryCredential(string Username, string Password)
{
    public override string ToString() => $"{Username}:***";
}

/// <summary>Per registry host: plain HTTP allowed, mirrors tried first, and a login.</summary>
public sealed record RegistryHostSettings(bool Insecure = false, IReadOnlyList<Uri>? Mirrors = null, RegistryCredential? Credential = null);
