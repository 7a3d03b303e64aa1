using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZLayer.TestImages.Engines;

/// <summary>
/// A private CA, a server certificate for 127.0.0.1 and a client certificate it signed, written as
/// PEM files: what an etcd cluster with TLS and client-certificate authentication is set up with.
/// </summary>
public sealed record EtcdTls(string CaFile, string CertFile, string KeyFile, string ClientCertFile, string ClientKeyFile, bool ClientCertAuth)
{
    public static EtcdTls Create(string directory, bool clientCertAuth)
    {
        System.IO.Directory.CreateDirectory(directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=zlayer-test-etcd-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        var caFile = Path.Combine(directory, "ca.pem");
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        var (certFile, keyFile) = Issue(directory, "server", ca, serverAuth: true, now);
        var (clientCertFile, clientKeyFile) = Issue(directory, "client", ca, serverAuth: false, now);
        return new EtcdTls(caFile, certFile, keyFile, clientCertFile, clientKeyFile, clientCertAuth);
    }

    /// <summary>A handler for the fixture's own readiness probe: it presents the client certificate and trusts the test CA.</summary>
    public SocketsHttpHandler ProbeHandler()
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(ClientCertFile, ClientKeyFile)];
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 presented && chain.Build(presented);
        };
        return handler;
    }

    private static (string Cert, string Key) Issue(string directory, string name, X509Certificate2 ca, bool serverAuth, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=zlayer-test-etcd-{name}", key, HashAlgorithmName.SHA256);
        // etcd's gateway dials its own gRPC server with the server certificate, so that one is a client certificate too.
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (serverAuth)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        var certFile = Path.Combine(directory, $"{name}.pem");
        var keyFile = Path.Combine(directory, $"{name}-key.pem");
        File.WriteAllText(certFile, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }
}
