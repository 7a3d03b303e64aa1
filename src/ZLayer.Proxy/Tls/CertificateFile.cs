namespace ZLayer.Proxy.Tls;

/// <summary>A PEM certificate (chain) and its PEM private key; the names it serves come from its SANs.</summary>
public sealed record CertificateFile(string CertificatePath, string KeyPath);
