using System.Security.Cryptography.X509Certificates;

namespace ZLayer.Proxy.Tls;

/// <summary>
/// Where certificates come from besides files: the seam for an ACME client or the secret store.
/// Asked on the TLS handshake path, so it must answer from memory.
/// </summary>
public interface ICertificateSource
{
    /// <summary>A certificate with a private key for <paramref name="serverName"/>, or null.</summary>
    X509Certificate2? Find(string serverName);
}
