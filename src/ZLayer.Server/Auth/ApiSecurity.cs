using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ZLayer.Server.Auth;

/// <summary>How the API protects its TCP listener (<c>zlayer serve</c>'s API flags).</summary>
/// <param name="RateLimit">Requests per second per client over TCP; 0 for no limit.</param>
/// <param name="TlsCertificate">PEM certificate file (<c>--api-tls-cert</c>); with <paramref name="TlsKey"/>.</param>
/// <param name="TlsKey">PEM private key file (<c>--api-tls-key</c>).</param>
/// <param name="SelfSignedTls">Serve TLS with the daemon's own certificate (<c>--api-tls</c>).</param>
public sealed record ApiSecuritySettings(
    int RateLimit = ApiRateLimiting.DefaultPerSecond,
    string? TlsCertificate = null,
    string? TlsKey = null,
    bool SelfSignedTls = false);

/// <summary>
/// The API's protections, opened from the data directory: the signing key, the token ledger and
/// the admin token (made on the first start), the TLS certificate, the rate limit. The daemon opens
/// it before building the API so that it can show what was made; the API wires it in.
/// </summary>
public sealed class ApiSecurity
{
    private ApiSecurity(TokenAuthority tokens, ApiSecuritySettings settings, string? newAdminToken, X509Certificate2? certificate, bool certificateCreated)
    {
        Tokens = tokens;
        Settings = settings;
        NewAdminToken = newAdminToken;
        Certificate = certificate;
        CertificateCreated = certificateCreated;
    }

    public TokenAuthority Tokens { get; }

    public ApiSecuritySettings Settings { get; }

    /// <summary>The admin token made by this start, to show once; null when an earlier start made it.</summary>
    public string? NewAdminToken { get; }

    /// <summary>The certificate the TCP listener serves TLS with; null for plain HTTP.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Whether this start made the self-signed certificate (its fingerprint is new).</summary>
    public bool CertificateCreated { get; }

    /// <exception cref="InvalidDataException">A key, ledger or certificate file cannot be used; the message names it.</exception>
    public static async Task<ApiSecurity> OpenAsync(string directory, ApiSecuritySettings settings, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        if ((settings.TlsCertificate is null) != (settings.TlsKey is null))
        {
            throw new InvalidDataException("--api-tls-cert and --api-tls-key go together: give both files, or neither");
        }

        var tokens = new TokenAuthority(SigningKeyStore.LoadOrCreate(directory), TokenLedger.Open(directory, time), time);
        var admin = await AdminToken.EnsureAsync(directory, tokens);
        var (certificate, created) = settings switch
        {
            { TlsCertificate: { } cert, TlsKey: { } key } => (ApiCertificates.Load(cert, key), false),
            { SelfSignedTls: true } => ApiCertificates.LoadOrCreateSelfSigned(directory, time),
            _ => ((X509Certificate2?)null, false),
        };
        return new ApiSecurity(tokens, settings, admin, certificate, created);
    }

    /// <summary>Registers the services the protections need (the rate limiter's).</summary>
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton(this);
        services.AddApiRateLimiting(Settings.RateLimit);
    }

    /// <summary>Serves TLS on a TCP listener when a certificate was configured.</summary>
    public void ConfigureListener(ListenOptions listen)
    {
        if (Certificate is { } certificate)
        {
            listen.UseHttps(certificate);
        }
    }

    /// <summary>Authentication, rate limiting, authorization, in that order (see <see cref="ApiAccessMiddleware"/>).</summary>
    public void UseMiddleware(WebApplication app)
    {
        app.UseApiAuthentication(Tokens);
        app.UseApiRateLimiting(Settings.RateLimit);
        app.UseApiAuthorization();
    }
}
