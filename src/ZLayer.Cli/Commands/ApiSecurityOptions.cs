using System.CommandLine;
using ZLayer.Server.Auth;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer serve</c>'s flags for the TCP listener's protections: TLS and the rate limit.</summary>
public sealed class ApiSecurityOptions
{
    private readonly Option<string?> _certificate = new("--api-tls-cert")
    {
        Description = "Serve the TCP API over TLS with this PEM certificate (with --api-tls-key)",
        HelpName = "FILE",
    };

    private readonly Option<string?> _key = new("--api-tls-key")
    {
        Description = "The PEM private key of --api-tls-cert",
        HelpName = "FILE",
    };

    private readonly Option<bool> _selfSigned = new("--api-tls")
    {
        Description = "Serve the TCP API over TLS with a self-signed certificate kept in the data directory (its SHA-256 fingerprint is logged at start; pin it with ZLAYER_TLS_FINGERPRINT)",
    };

    private readonly Option<int> _rateLimit = new("--api-rate-limit")
    {
        Description = $"Requests per second each TCP client may send (bursts of twice that); 0 turns limiting off (default: {ApiRateLimiting.DefaultPerSecond})",
        HelpName = "N",
        DefaultValueFactory = _ => ApiRateLimiting.DefaultPerSecond,
    };

    public static ApiSecurityOptions Create()
    {
        var options = new ApiSecurityOptions();
        options._rateLimit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError($"--api-rate-limit: {r.GetValueOrDefault<int>()} is not a rate; use a number of requests per second, or 0 for no limit");
            }
        });
        return options;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_certificate);
        command.Options.Add(_key);
        command.Options.Add(_selfSigned);
        command.Options.Add(_rateLimit);
        command.Validators.Add(r =>
        {
            var certificate = r.GetValue(_certificate);
            var key = r.GetValue(_key);
            if ((certificate is null) != (key is null))
            {
                r.AddError(certificate is null ? "--api-tls-key needs --api-tls-cert" : "--api-tls-cert needs --api-tls-key");
            }
            else if (certificate is not null && r.GetValue(_selfSigned))
            {
                r.AddError("--api-tls makes a certificate; with --api-tls-cert/--api-tls-key give one or the other");
            }
        });
    }

    public ApiSecuritySettings Settings(ParseResult parse) => new(
        parse.GetValue(_rateLimit),
        parse.GetValue(_certificate) is { Length: > 0 } c ? Path.GetFullPath(c) : null,
        parse.GetValue(_key) is { Length: > 0 } k ? Path.GetFullPath(k) : null,
        parse.GetValue(_selfSigned));
}
