using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace ZLayer.TestImages.Registry;

/// <summary>
/// An ECDSA P-256 key with a self-signed certificate, signing registry tokens as ES256 JWTs whose
/// header names the key by <c>x5c</c> (the certificate, checked against the registry's
/// rootcertbundle, where a self-signed certificate is its own root) or by <c>kid</c> (the libtrust
/// key ID the registry computes for each certificate in the bundle).
/// </summary>
public sealed class TokenSigner : IDisposable
{
    private readonly ECDsa _key;
    private readonly string _x5c;

    public TokenSigner(string subject = "CN=zlayer test token issuer")
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        CertificatePem = certificate.ExportCertificatePem();
        _x5c = Convert.ToBase64String(certificate.RawData);
        KeyId = LibtrustKeyId(_key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The certificate as PEM, for the registry's rootcertbundle.</summary>
    public string CertificatePem { get; }

    /// <summary>The key's libtrust ID: twelve colon-separated groups of base32 from the SHA-256 of its PKIX form.</summary>
    public string KeyId { get; }

    /// <summary>A signed JWT with the claims registry token auth checks (iss, sub, aud, exp, nbf, iat, jti, access).</summary>
    public string Sign(string issuer, string subject, string audience, IEnumerable<TokenAccess> access, DateTimeOffset issuedAt, TimeSpan lifetime, TokenKeyReference keyReference = TokenKeyReference.CertificateChain)
    {
        var header = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("typ", "JWT");
            json.WriteString("alg", "ES256");
            if (keyReference == TokenKeyReference.KeyId)
            {
                json.WriteString("kid", KeyId);
            }
            else
            {
                json.WriteStartArray("x5c");
                json.WriteStringValue(_x5c);
                json.WriteEndArray();
            }

            json.WriteEndObject();
        });
        var claims = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("iss", issuer);
            json.WriteString("sub", subject);
            // distribution 2.8 reads aud as a single string; an array fails to parse.
            json.WriteString("aud", audience);
            json.WriteNumber("exp", (issuedAt + lifetime).ToUnixTimeSeconds());
            json.WriteNumber("nbf", issuedAt.ToUnixTimeSeconds());
            json.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            json.WriteString("jti", Guid.NewGuid().ToString("N"));
            json.WriteStartArray("access");
            foreach (var entry in access)
            {
                json.WriteStartObject();
                json.WriteString("type", entry.Type);
                json.WriteString("name", entry.Name);
                json.WriteStartArray("actions");
                foreach (var action in entry.Actions)
                {
                    json.WriteStringValue(action);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        var signingInput = Base64Url(header) + "." + Base64Url(claims);
        // .NET signs in IEEE P1363 form (r || s), which is what JWS ES256 specifies.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    public void Dispose() => _key.Dispose();

    private static string LibtrustKeyId(byte[] subjectPublicKeyInfo)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        // 240 bits of the hash: exactly 48 base32 digits, so no padding to trim.
        var bits = SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 30);
        var id = new StringBuilder();
        var buffer = 0;
        var count = 0;
        foreach (var b in bits)
        {
            buffer = (buffer << 8) | b;
            count += 8;
            while (count >= 5)
            {
                count -= 5;
                if (id.Length > 0 && id.Length % 5 == 4)
                {
                    id.Append(':');
                }

                id.Append(Alphabet[(buffer >> count) & 31]);
            }
        }

        return id.ToString();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.ToArray();
    }
}
