using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.WebSockets;
using ZLayer.Server.Auth;

namespace ZLayer.Cli.Client;

/// <summary>
/// What the CLI proves itself with over TCP: the bearer token in <c>ZLAYER_TOKEN</c>, and, for a
/// daemon with a self-signed certificate, the certificate's SHA-256 fingerprint pinned in
/// <c>ZLAYER_TLS_FINGERPRINT</c>. The Unix socket needs neither: its mode is the credential.
/// </summary>
public sealed record ClientCredentials(string? Token, string? TlsFingerprint)
{
    public const string TokenVariable = "ZLAYER_TOKEN";

    public const string FingerprintVariable = "ZLAYER_TLS_FINGERPRINT";

    public static ClientCredentials For(DaemonAddress address) => address.SocketPath is not null
        ? new ClientCredentials(null, null)
        : new ClientCredentials(
            Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token.Trim() : null,
            Environment.GetEnvironmentVariable(FingerprintVariable) is { Length: > 0 } pin ? pin.Trim() : null);

    /// <summary>
    /// With a pin, the daemon's certificate must be that one, whoever signed it (a self-signed one
    /// is then trusted, a CA-signed other one is not); without, the system's trust store decides.
    /// </summary>
    public void Configure(SocketsHttpHandler handler)
    {
        if (TlsFingerprint is { } pin)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ApiCertificates.Matches(pin, certificate),
            };
        }
    }

    public void Authorize(HttpRequestHeaders headers)
    {
        if (Token is { } token)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public void Authorize(ClientWebSocketOptions options)
    {
        if (Token is { } token)
        {
            options.SetRequestHeader("Authorization", "Bearer " + token);
        }
    }
}
