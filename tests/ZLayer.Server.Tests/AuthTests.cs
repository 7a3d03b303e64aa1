using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ZLayer.Server.Auth;

namespace ZLayer.Server.Tests;

/// <summary>Tokens over the API: issuing, revocation, where they may be carried, the first start's files, rate limiting and TLS.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AuthTests
{
    [Fact]
    public async Task The_first_start_makes_a_key_a_ledger_and_an_admin_token_owner_only_and_a_restart_keeps_them()
    {
        await using var daemon = await TestDaemon.StartAsync();
        foreach (var file in new[] { SigningKeyStore.FileName, AdminToken.FileName, TokenLedger.FileName })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(daemon.Directory, file)));
        }

        Assert.NotNull(daemon.Security.NewAdminToken);
        Assert.Equal(daemon.AdminToken, daemon.Security.NewAdminToken);
        using (var response = await daemon.Http.GetAsync("api/v1/tokens"))
        {
            var tokens = await response.Content.ReadFromJsonAsync<JsonArray>();
            Assert.Equal(AdminToken.TokenName, (string?)Assert.Single(tokens!)!["name"]);
        }

        var again = await ApiSecurity.OpenAsync(daemon.Directory, daemon.Security.Settings);
        Assert.Null(again.NewAdminToken);
        Assert.Equal(ApiRole.Admin, (await again.Tokens.ValidateAsync(daemon.AdminToken)).Caller?.Role);
    }

    [Fact]
    public async Task A_created_token_works_at_once_and_a_revoked_one_is_refused_on_the_next_request()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var created = await daemon.Http.PostAsJsonAsync("api/v1/tokens", new { role = "viewer", ttlSeconds = 3600, name = "grafana" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var (id, token) = ((string)body["id"]!, (string)body["token"]!);
        Assert.Equal("viewer", (string?)body["role"]);

        using var viewer = daemon.TcpClient();
        viewer.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("api/v1/deployments")).StatusCode);
        using var forbidden = await viewer.PostAsJsonAsync("api/v1/deployments/demo/services/web/scale", new { replicas = 2 });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("'grafana' has the viewer role, which cannot POST /api/v1/deployments/demo/services/web/scale: that needs operator or higher",
            (string?)(await forbidden.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);

        using var revoke = await daemon.Http.DeleteAsync($"api/v1/tokens/{id}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        using var refused = await viewer.GetAsync("api/v1/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("urn:zlayer:problem:token-revoked", (string?)problem["type"]);
        Assert.StartsWith("the daemon refused the token: revoked at ", (string?)problem["detail"]);

        // The revocation is in the file too: a restarted daemon refuses the token as well.
        var restarted = await ApiSecurity.OpenAsync(daemon.Directory, daemon.Security.Settings);
        Assert.Equal(TokenRefusal.Revoked, (await restarted.Tokens.ValidateAsync(token)).Refusal);

        using var unknown = await daemon.Http.DeleteAsync("api/v1/tokens/0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("""{"role": "root"}""", "$.role")]
    [InlineData("""{"ttlSeconds": 60}""", "$.role")]
    [InlineData("""{"role": "viewer", "ttlSeconds": 0}""", "$.ttlSeconds")]
    [InlineData("""{"role": "viewer", "ttlSeconds": 99999999999}""", "$.ttlSeconds")]
    [InlineData("""{"role": "viewer", "ttlSeconds": "1h"}""", "$.ttlSeconds")]
    [InlineData("""{"role": "viewer", "name": ""}""", "$.name")]
    [InlineData("""{"role": "viewer", "owner": "me"}""", "$.owner")]
    public async Task A_bad_token_request_names_its_field(string json, string field)
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var response = await daemon.Http.PostAsync("api/v1/tokens", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["field"]);
    }

    [Fact]
    public async Task The_query_token_is_taken_on_websockets_and_event_streams_only()
    {
        await using var daemon = await TestDaemon.StartWithEveryRouteAsync();
        var tokens = ApiTokens.For(daemon);
        using var tcp = daemon.TcpClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await tcp.GetAsync($"api/v1/deployments?access_token={tokens.Viewer}")).StatusCode);

        using (var stream = new HttpRequestMessage(HttpMethod.Get, $"api/v1/events/stream?access_token={tokens.Viewer}"))
        {
            stream.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await tcp.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The exec WebSocket is a GET that needs operator: a viewer's token is refused before the upgrade.
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(daemon, tokens.Viewer));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(daemon, tokens.Revoked));

        // An operator's passes authorization; there is no such replica, which is the next answer.
        Assert.Equal(HttpStatusCode.NotFound, await UpgradeStatusAsync(daemon, tokens.Operator));
    }

    [Fact]
    public async Task Unknown_api_paths_need_a_token_and_paths_outside_the_api_do_not()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var tcp = daemon.TcpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await tcp.GetAsync("api/v1/nothing-here")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await daemon.Http.GetAsync("api/v1/nothing-here")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tcp.GetAsync("ui/app.js")).StatusCode);
        using var malformed = new HttpRequestMessage(HttpMethod.Get, "api/v1/deployments");
        malformed.Headers.TryAddWithoutValidation("Authorization", "Basic YWRtaW46YWRtaW4=");
        using var basic = await tcp.SendAsync(malformed);
        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        Assert.Equal("urn:zlayer:problem:token-malformed", (string?)(await basic.Content.ReadFromJsonAsync<JsonObject>())!["type"]);
    }

    [Fact]
    public async Task A_client_over_the_rate_limit_gets_429_with_retry_after_and_other_clients_do_not()
    {
        await using var daemon = await TestDaemon.StartAsync(new ApiSecuritySettings(RateLimit: 1));
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 50 && limited is null; i++)
        {
            var response = await daemon.Http.GetAsync("api/v1/deployments");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.Equal("urn:zlayer:problem:rate-limited", (string?)(await limited.Content.ReadFromJsonAsync<JsonObject>())!["type"]);
        }

        // Another token has a bucket of its own; the Unix socket has no limit at all.
        using var other = daemon.TcpClient();
        other.DefaultRequestHeaders.Authorization = new("Bearer", daemon.Security.Tokens.Issue(ApiRole.Viewer, TimeSpan.FromHours(1), "other").Token);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("api/v1/deployments")).StatusCode);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await daemon.Unix.GetAsync("api/v1/deployments")).StatusCode);
        }
    }

    [Fact]
    public async Task A_self_signed_certificate_is_served_with_the_fingerprint_given_and_kept_across_restarts()
    {
        await using var daemon = await TestDaemon.StartAsync(new ApiSecuritySettings(RateLimit: 0, SelfSignedTls: true));
        Assert.Equal("https", daemon.BaseAddress.Scheme);
        Assert.True(daemon.Security.CertificateCreated);
        var fingerprint = ApiCertificates.Fingerprint(daemon.Security.Certificate!);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);

        X509Certificate2? presented = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : new X509Certificate2(certificate);
            return true;
        };
        using var client = new HttpClient(handler) { BaseAddress = daemon.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/live")).StatusCode);
        Assert.Equal(fingerprint, ApiCertificates.Fingerprint(presented!));
        Assert.True(ApiCertificates.Matches(fingerprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant(), presented!));
        Assert.Equal(HttpStatusCode.OK, (await daemon.Http.GetAsync("api/v1/deployments")).StatusCode);

        // Without the pin, the system's trust store decides, and it does not know this certificate.
        using var untrusting = new HttpClient { BaseAddress = daemon.BaseAddress };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("health/live"));

        var again = await ApiSecurity.OpenAsync(daemon.Directory, daemon.Security.Settings);
        Assert.False(again.CertificateCreated);
        Assert.Equal(fingerprint, ApiCertificates.Fingerprint(again.Certificate!));
    }

    [Theory]
    [InlineData(TokenLedger.FileName, "{\"tokens\": [{\"id\": 5}]}", "is not a token ledger", "$.tokens[0].id")]
    [InlineData(SigningKeyStore.FileName, "not base64!", "does not hold a signing key", "remove it")]
    [InlineData(SigningKeyStore.FileName, "c2hvcnQ=", "holds a 5-byte key", "at least 32 bytes")]
    public async Task A_damaged_key_or_ledger_stops_the_start_naming_the_file_and_is_left_alone(string file, string content, string what, string detail)
    {
        var directory = Directory.CreateTempSubdirectory("zls-").FullName;
        try
        {
            var path = Path.Combine(directory, file);
            await File.WriteAllTextAsync(path, content);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ApiSecurity.OpenAsync(directory, new ApiSecuritySettings()));
            Assert.Contains(path, refused.Message);
            Assert.Contains(what, refused.Message);
            Assert.Contains(detail, refused.Message);
            Assert.Equal(content, await File.ReadAllTextAsync(path));

            // Readable by others as found; the daemon took that away before reading it.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_operators_pem_files_are_served_and_a_key_of_another_certificate_is_refused()
    {
        var directory = Directory.CreateTempSubdirectory("zls-").FullName;
        try
        {
            var (certificate, key) = (Path.Combine(directory, "api.pem"), Path.Combine(directory, "api.key"));
            using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                using var made = new CertificateRequest("CN=node1.example", ecdsa, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
                await File.WriteAllTextAsync(certificate, made.ExportCertificatePem());
                await File.WriteAllTextAsync(key, ecdsa.ExportPkcs8PrivateKeyPem());
            }

            var security = await ApiSecurity.OpenAsync(directory, new ApiSecuritySettings(TlsCertificate: certificate, TlsKey: key));
            Assert.Equal("CN=node1.example", security.Certificate!.Subject);
            Assert.True(security.Certificate.HasPrivateKey);
            Assert.False(security.CertificateCreated);

            using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                await File.WriteAllTextAsync(key, other.ExportPkcs8PrivateKeyPem());
            }

            var mismatch = await Assert.ThrowsAsync<InvalidDataException>(() => ApiSecurity.OpenAsync(directory, new ApiSecuritySettings(TlsCertificate: certificate, TlsKey: key)));
            Assert.StartsWith($"--api-tls-cert/--api-tls-key: {certificate} and {key} are not a PEM certificate and its private key", mismatch.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<HttpStatusCode> UpgradeStatusAsync(TestDaemon daemon, string token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new Uri($"ws://{daemon.BaseAddress.Authority}/api/v1/replicas/none/exec/session?access_token={Uri.EscapeDataString(token)}");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        return socket.HttpStatusCode;
    }
}
