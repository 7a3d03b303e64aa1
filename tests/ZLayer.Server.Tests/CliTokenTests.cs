using ZLayer.Server.Auth;

namespace ZLayer.Server.Tests;

/// <summary>The real CLI with tokens: `zlayer token` over the socket, ZLAYER_TOKEN and ZLAYER_TLS_FINGERPRINT over TCP.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliTokenTests
{
    [Fact]
    public async Task A_viewer_token_reads_over_tcp_is_refused_a_scale_clearly_and_is_refused_once_revoked()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        var create = await Cli.RunAsync(daemon, "token", "create", "--role", "viewer", "--ttl", "2h", "--name", "ci");
        Assert.Equal(0, create.ExitCode);
        var token = create.Stdout.TrimEnd('\n').Split('\n')[^1];
        Assert.Matches(@"^[\w-]+\.[\w-]+\.[\w-]+$", token);
        var id = Assert.Single(daemon.Security.Tokens.Ledger.List(), t => t.Name == "ci").Id;
        Assert.Contains($"token {id} (ci, viewer) valid until ", create.Stderr);

        var tcp = daemon.BaseAddress.GetLeftPart(UriPartial.Authority);
        var asViewer = new Dictionary<string, string> { ["ZLAYER_TOKEN"] = token };
        var status = await Cli.RunAsync(daemon.Directory, tcp, asViewer, "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("demo", status.Stdout);

        var scale = await Cli.RunAsync(daemon.Directory, tcp, asViewer, "scale", "web=3");
        Assert.Equal(1, scale.ExitCode);
        Assert.Contains("the token 'ci' has the viewer role, which cannot POST /api/v1/deployments/demo/services/web/scale: that needs operator or higher", scale.Stderr);

        var none = await Cli.RunAsync(daemon.Directory, tcp, null, "ps");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("zlayer: error: no token: requests over TCP need 'Authorization: Bearer TOKEN'", none.Stderr);

        var list = await Cli.RunAsync(daemon, "token", "ls");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(list.Stdout.Split('\n'), line => line.StartsWith(id, StringComparison.Ordinal) && line.Contains("viewer") && line.Contains("valid"));
        Assert.DoesNotContain(token, list.Stdout);

        var revoke = await Cli.RunAsync(daemon, "token", "revoke", id, "fedcba9876543210");
        Assert.Equal(1, revoke.ExitCode);
        Assert.Contains($"revoked {id} (ci)", revoke.Stdout);
        Assert.Contains("no token 'fedcba9876543210'", revoke.Stderr);

        var refused = await Cli.RunAsync(daemon.Directory, tcp, asViewer, "ps");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("zlayer: error: the daemon refused the token: revoked at ", refused.Stderr);
    }

    [Theory]
    [InlineData("--role", "root", "--role")]
    [InlineData("--ttl", "5x", "--ttl")]
    [InlineData("--ttl", "400d", "--ttl")]
    public async Task Token_create_refuses_bad_flags_with_usage_errors(string flag, string value, string named)
    {
        await using var daemon = await TestDaemon.StartAsync();
        var args = flag == "--role" ? new[] { "token", "create", flag, value } : ["token", "create", "--role", "viewer", flag, value];
        var result = await Cli.RunAsync(daemon, args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.Stderr);
    }

    [Fact]
    public async Task Serve_refuses_tls_flags_that_do_not_fit_naming_the_flag()
    {
        var directory = Directory.CreateTempSubdirectory("zls-").FullName;
        try
        {
            var serve = new[] { "serve", "--data-dir", Path.Combine(directory, "data"), "--socket", Path.Combine(directory, "s.sock"), "--api", "none", "--runtime", "process", "--no-proxy", "--no-dns" };
            var alone = await Cli.RunAsync(directory, null, null, [.. serve, "--api-tls-cert", "cert.pem"]);
            Assert.Equal(2, alone.ExitCode);
            Assert.Contains("--api-tls-cert needs --api-tls-key", alone.Stderr);

            var negative = await Cli.RunAsync(directory, null, null, [.. serve, "--api-rate-limit", "-1"]);
            Assert.Equal(2, negative.ExitCode);
            Assert.Contains("--api-rate-limit: -1 is not a rate", negative.Stderr);

            var missing = await Cli.RunAsync(directory, null, null, [.. serve, "--api-tls-cert", "nope.pem", "--api-tls-key", "nope.key"]);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains($"--api-tls-cert: {Path.Combine(directory, "nope.pem")} does not exist", missing.Stderr);
            Assert.DoesNotContain("   at ", missing.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Over_https_the_cli_trusts_the_pinned_self_signed_certificate_only()
    {
        await using var daemon = await TestDaemon.StartAsync(new ApiSecuritySettings(RateLimit: 0, SelfSignedTls: true));
        var https = daemon.BaseAddress.GetLeftPart(UriPartial.Authority);
        var fingerprint = ApiCertificates.Fingerprint(daemon.Security.Certificate!);

        var pinned = await Cli.RunAsync(daemon.Directory, https, new Dictionary<string, string> { ["ZLAYER_TOKEN"] = daemon.AdminToken, ["ZLAYER_TLS_FINGERPRINT"] = fingerprint }, "ps");
        Assert.Equal(0, pinned.ExitCode);

        var unpinned = await Cli.RunAsync(daemon.Directory, https, new Dictionary<string, string> { ["ZLAYER_TOKEN"] = daemon.AdminToken }, "ps");
        Assert.Equal(1, unpinned.ExitCode);
        Assert.Contains($"the TLS certificate of the daemon at {https} is not trusted", unpinned.Stderr);
        Assert.Contains("ZLAYER_TLS_FINGERPRINT", unpinned.Stderr);

        var wrong = await Cli.RunAsync(daemon.Directory, https, new Dictionary<string, string> { ["ZLAYER_TOKEN"] = daemon.AdminToken, ["ZLAYER_TLS_FINGERPRINT"] = new string('0', 64) }, "ps");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("is not trusted", wrong.Stderr);
    }
}
