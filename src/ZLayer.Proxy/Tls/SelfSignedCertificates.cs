using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZLayer.Proxy.Tls;

/// <summary>
/// A certificate made on first use for a name nobody provided one for, so an https endpoint
/// answers (with a warning in browsers) instead of failing the handshake. Kept for the
/// process's life; one per name.
/// </summary>
public sealed class SelfSignedCertificates : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<X509Certificate2>> made = new(StringComparer.OrdinalIgnoreCase);

    public X509Certificate2 For(string serverName) =>
        made.GetOrAdd(serverName, name => new Lazy<X509Certificate2>(() => Create(name))).Value;

    public void Dispose()
    {
        foreach (var cert in made.Values.Where(l => l.IsValueCreated))
        {
            cert.Value.Dispose();
        }
    }

    private static X509Certificate2 Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={(name.Length == 0 ? "zlayer" : name)}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (System.Net.IPAddress.TryParse(name, out var ip))
        {
            san.AddIpAddress(ip);
        }
        else if (name.Length > 0)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }
}
