using ZLayer.Server.Auth;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// The daemon's side of the API's protections: opens them from the data directory, and tells the
/// operator what they need to reach the API over TCP (the admin token made on the first start, the
/// TLS fingerprint to pin).
/// </summary>
public static class ApiSecurityStartup
{
    /// <summary>The protections, or null after logging why they cannot be opened.</summary>
    public static async Task<ApiSecurity?> OpenAsync(DaemonOptions options, DaemonLogger log)
    {
        try
        {
            return await ApiSecurity.OpenAsync(options.DataDirectory, options.ApiSecurity);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            log.Error($"the API's keys cannot be opened: {ex.Message}", ("data_dir", options.DataDirectory));
            return null;
        }
    }

    /// <summary>
    /// Shows a newly made admin token once. Only a terminal gets the token itself: the daemon's
    /// log is otherwise kept (journald, a file, `zlayer up`'s daemon.log), and the file is there to read.
    /// </summary>
    public static void Announce(ApiSecurity security, DaemonOptions options, DaemonLogger log)
    {
        var tokenFile = Path.Combine(options.DataDirectory, AdminToken.FileName);
        if (security.NewAdminToken is { } token)
        {
            if (log.ToTerminal)
            {
                Console.Error.WriteLine($"An admin token for the API was made; it is shown this once (and kept in {tokenFile}, mode 0600):");
                Console.Error.WriteLine(token);
            }
            else
            {
                log.Info("an admin token for the API was made", ("file", tokenFile));
            }
        }

        if (security.Certificate is { } certificate && options.TcpEndpoint is not null)
        {
            log.Info(
                security.CertificateCreated ? "the API serves TLS with a new self-signed certificate" : "the API serves TLS",
                ("fingerprint_sha256", ApiCertificates.Fingerprint(certificate)),
                ("certificate", security.Settings.TlsCertificate ?? Path.Combine(options.DataDirectory, ApiCertificates.CertificateFile)));
        }

        if (options.TcpEndpoint is not null)
        {
            log.Info("API over TCP needs a bearer token", ("rate_limit_per_s", security.Settings.RateLimit > 0 ? security.Settings.RateLimit : "off"));
        }
    }
}
