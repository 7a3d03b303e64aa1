using System.Security.Cryptography.X509Certificates;

namespace ZLayer.Proxy.Tls;

/// <summary>
/// Picks the server certificate for a TLS handshake by SNI name: a loaded file whose SANs name it
/// exactly, then one with a matching <c>*.</c> wildcard, then the other sources, then a
/// self-signed certificate made for the name.
/// </summary>
public sealed class CertificateStore : IDisposable
{
    private readonly Dictionary<string, X509Certificate2> exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, X509Certificate2> wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<X509Certificate2> loaded = [];
    private readonly IReadOnlyList<ICertificateSource> sources;
    private readonly SelfSignedCertificates selfSigned = new();

    public CertificateStore(IEnumerable<CertificateFile> files, IReadOnlyList<ICertificateSource> sources)
    {
        this.sources = sources;
        foreach (var file in files)
        {
            var cert = Load(file);
            loaded.Add(cert);
            foreach (var name in DnsNames(cert))
            {
                var table = name.StartsWith("*.", StringComparison.Ordinal) ? wildcard : exact;
                table.TryAdd(name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name, cert);
            }
        }
    }

    public X509Certificate2 Select(string? serverName)
    {
        var name = serverName ?? "";
        if (exact.TryGetValue(name, out var cert))
        {
            return cert;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && wildcard.TryGetValue(name[(dot + 1)..], out cert))
        {
            return cert;
        }

        foreach (var source in sources)
        {
            if (source.Find(name) is { } found)
            {
                return found;
            }
        }

        return selfSigned.For(name);
    }

    public void Dispose()
    {
        foreach (var cert in loaded)
        {
            cert.Dispose();
        }

        selfSigned.Dispose();
    }

    private static X509Certificate2 Load(CertificateFile file)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(file.CertificatePath, file.KeyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"TLS certificate {file.CertificatePath} (key {file.KeyPath}): {e.Message}", e);
        }
    }

    private static IEnumerable<string> DnsNames(X509Certificate2 cert)
    {
        var names = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        return names.Count > 0 ? names : [cert.GetNameInfo(X509NameType.SimpleName, false)];
    }
}
