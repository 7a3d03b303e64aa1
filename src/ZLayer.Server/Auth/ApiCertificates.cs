using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZLayer.Server.Auth;

/// <summary>
/// The API's TLS certificate: the operator's (PEM certificate and key files), or one the daemon
/// signs itself, kept in <c>DATA/api-tls.crt</c> and <c>DATA/api-tls.key</c> (0600) and reused on
/// every start so that clients that pinned its fingerprint keep working. A self-signed certificate
/// that has expired is replaced (with a new fingerprint, printed at start).
/// </summary>
public static class ApiCertificates
{
    public const string CertificateFile = "api-tls.crt";

    public const string KeyFile = "api-tls.key";

    private static readonly TimeSpan SelfSignedLifetime = TimeSpan.FromDays(5 * 365);

    /// <summary>Loads the operator's PEM files; the message names the flag whose file is at fault.</summary>
    /// <exception cref="InvalidDataException">A file is missing or is not PEM of a certificate and its key.</exception>
    public static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        if (!File.Exists(certificatePath))
        {
            throw new InvalidDataException($"--api-tls-cert: {certificatePath} does not exist");
        }

        if (!File.Exists(keyPath))
        {
            throw new InvalidDataException($"--api-tls-key: {keyPath} does not exist");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // ArgumentException: a key that is not the certificate's (CopyWithPrivateKey refuses it).
            throw new InvalidDataException($"--api-tls-cert/--api-tls-key: {certificatePath} and {keyPath} are not a PEM certificate and its private key ({ex.Message})", ex);
        }
    }

    /// <summary>The daemon's own certificate in <paramref name="directory"/>, made when there is none or it has expired.</summary>
    public static (X509Certificate2 Certificate, bool Created) LoadOrCreateSelfSigned(string directory, TimeProvider time)
    {
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        if (File.Exists(certificatePath) && SecretFiles.ReadText(keyPath) is not null)
        {
            var existing = Load(certificatePath, keyPath);
            if (existing.NotAfter.ToUniversalTime() > time.GetUtcNow().UtcDateTime)
            {
                return (existing, false);
            }

            existing.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var host = Dns.GetHostName();
        var request = new CertificateRequest($"CN={host}, O=zlayer API", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(host);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        using var made = request.CreateSelfSigned(now.AddMinutes(-5), now + SelfSignedLifetime);

        SecretFiles.Write(keyPath, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n"));
        ZLayer.Images.Content.FileSync.Replace(certificatePath, Encoding.ASCII.GetBytes(made.ExportCertificatePem() + "\n"));
        return (Load(certificatePath, keyPath), true);
    }

    /// <summary>SHA-256 of the certificate's DER, as <c>openssl x509 -fingerprint -sha256</c> prints it (AB:CD:...).</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// Whether <paramref name="certificate"/> is the one a client pinned: <paramref name="pin"/> is
    /// its SHA-256 fingerprint in hex, with or without colons, in either case.
    /// </summary>
    public static bool Matches(string pin, X509Certificate certificate)
    {
        var hex = pin.Trim().Replace(":", "", StringComparison.Ordinal);
        if (hex.StartsWith("sha256/", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex["sha256/".Length..];
        }

        return hex.Length == 64 && string.Equals(hex, Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)), StringComparison.OrdinalIgnoreCase);
    }
}
