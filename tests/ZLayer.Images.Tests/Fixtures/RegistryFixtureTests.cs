using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;

namespace ZLayer.Images.Tests.Fixtures;

/// <summary>The registry fixtures behave like the registries the client will meet: content round-trips and auth is enforced.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryFixtureTests(RegistryFixture registries)
{
    private static readonly string AcceptAll = string.Join(", ", MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList);

    [Fact]
    public async Task AnonymousPushThenRawGetReturnsTheSameManifestAndDigest()
    {
        var registry = registries.Anonymous;
        var image = SampleImages.Small("anonymous");
        using (var upload = new RegistryUpload(registry))
        {
            Assert.Equal(image.Digest, await upload.PushAsync(image, "fixtures/anonymous", "v1"));
        }

        using var client = registry.CreateHttpClient();
        using var manifest = await GetAsync(client, "v2/fixtures/anonymous/manifests/v1");
        Assert.True(manifest.StatusCode == HttpStatusCode.OK, registry.Describe());
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        Assert.Equal(image.Digest, Header(manifest, "Docker-Content-Digest"));
        Assert.Equal(MediaTypes.OciManifest, manifest.Content.Headers.ContentType?.MediaType);

        var layer = image.Layers[0];
        using var blob = await GetAsync(client, $"v2/fixtures/anonymous/blobs/{layer.Digest}");
        Assert.Equal(layer.Bytes, await blob.Content.ReadAsByteArrayAsync());
        Assert.Equal(layer.Digest, Header(blob, "Docker-Content-Digest"));
    }

    [Fact]
    public async Task DockerSchema2ManifestKeepsItsMediaType()
    {
        var registry = registries.Anonymous;
        var image = SampleImages.Small("docker", format: ImageFormat.Docker);
        using (var upload = new RegistryUpload(registry))
        {
            await upload.PushAsync(image, "fixtures/docker", "v1");
        }

        using var client = registry.CreateHttpClient();
        using var manifest = await GetAsync(client, "v2/fixtures/docker/manifests/v1");
        Assert.Equal(MediaTypes.DockerManifest, manifest.Content.Headers.ContentType?.MediaType);
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(ImageFormat.Oci)]
    [InlineData(ImageFormat.Docker)]
    public async Task AnIndexOfTwoPlatformsPushesAndReadsBack(ImageFormat format)
    {
        var registry = registries.Anonymous;
        var index = SampleImages.TwoPlatforms($"index-{format}", format);
        using (var upload = new RegistryUpload(registry))
        {
            await upload.PushAsync(index, "fixtures/multi", format.ToString().ToLowerInvariant());
        }

        using var client = registry.CreateHttpClient();
        using var got = await GetAsync(client, $"v2/fixtures/multi/manifests/{format.ToString().ToLowerInvariant()}");
        Assert.True(got.StatusCode == HttpStatusCode.OK, registry.Describe());
        Assert.Equal(index.Manifest, await got.Content.ReadAsByteArrayAsync());
        Assert.Equal(index.Digest, Header(got, "Docker-Content-Digest"));
        Assert.Equal(MediaTypes.Index(format), got.Content.Headers.ContentType?.MediaType);

        var arm = index.ForPlatform(ImagePlatform.LinuxArm64V8);
        using var child = await GetAsync(client, $"v2/fixtures/multi/manifests/{arm.Digest}");
        Assert.Equal(arm.Manifest, await child.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BasicAuthRegistryRefusesAnonymousAndAcceptsCredentials()
    {
        var registry = registries.Basic;
        using var client = registry.CreateHttpClient();
        using (var anonymous = await GetAsync(client, "v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.True(AuthChallenge.Parse(Header(anonymous, "WWW-Authenticate")!).IsBasic);
        }

        var image = SampleImages.Small("basic");
        using (var wrong = new RegistryUpload(registry.BaseUri, RegistryFixture.User, "not the password"))
        {
            var refused = await Assert.ThrowsAsync<RegistryUploadException>(() => wrong.PushAsync(image, "fixtures/basic", "v1"));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var upload = new RegistryUpload(registry))
        {
            await upload.PushAsync(image, "fixtures/basic", "v1");
        }

        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RegistryFixture.User}:{RegistryFixture.Password}")));
        using var manifest = await GetAsync(client, "v2/fixtures/basic/manifests/v1", basic);
        Assert.True(manifest.StatusCode == HttpStatusCode.OK, registry.Describe());
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task TokenRegistryPushesThroughTheTokenFlowAndChallengesWithTheRealm()
    {
        var registry = registries.Token;
        var tokens = registries.Tokens;
        var image = SampleImages.Small("token");
        tokens.ResetCounters();
        using (var upload = new RegistryUpload(registry))
        {
            await upload.PushAsync(image, "fixtures/token", "v1");
            Assert.Equal(upload.TokenRequests, tokens.IssuedCount);
        }

        Assert.Contains("repository:fixtures/token:pull,push", tokens.RequestedScopes);
        Assert.All(tokens.Requests, r => Assert.Equal(RegistryFixture.User, r.Account));

        using var client = registry.CreateHttpClient();
        using (var anonymous = await GetAsync(client, "v2/fixtures/token/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            var challenge = AuthChallenge.Parse(Header(anonymous, "WWW-Authenticate")!);
            Assert.True(challenge.IsBearer);
            Assert.Equal(tokens.Realm.ToString(), challenge.Realm);
            Assert.Equal(tokens.Service, challenge.Service);
            Assert.Equal("repository:fixtures/token:pull", challenge.Scope);
        }

        var token = await FetchTokenAsync(tokens, "repository:fixtures/token:pull");
        using var manifest = await GetAsync(client, "v2/fixtures/token/manifests/v1", new AuthenticationHeaderValue("Bearer", token));
        Assert.True(manifest.StatusCode == HttpStatusCode.OK, registry.Describe());
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        Assert.Equal(image.Digest, Header(manifest, "Docker-Content-Digest"));
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task ARefusingTokenServerFailsThePush(HttpStatusCode refusal)
    {
        var tokens = registries.Tokens;
        tokens.RefuseWith = refusal;
        try
        {
            using var upload = new RegistryUpload(registries.Token);
            var error = await Assert.ThrowsAsync<RegistryUploadException>(() => upload.PushAsync(SampleImages.Small("refused"), "fixtures/refused", "v1"));
            Assert.Equal(refusal, error.StatusCode);
        }
        finally
        {
            tokens.RefuseWith = null;
        }
    }

    [Fact]
    public async Task APullOnlyTokenCannotPush()
    {
        registries.Tokens.GrantableActions = new HashSet<string> { "pull" };
        try
        {
            using var upload = new RegistryUpload(registries.Token);
            var error = await Assert.ThrowsAsync<RegistryUploadException>(() => upload.PushAsync(SampleImages.Small("pull-only"), "fixtures/pull-only", "v1"));
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        }
        finally
        {
            registries.Tokens.GrantableActions = null;
        }
    }

    [Fact]
    public async Task TheTokenServerWantsItsCredentials()
    {
        using var upload = new RegistryUpload(registries.Token.BaseUri, RegistryFixture.User, "wrong");
        var error = await Assert.ThrowsAsync<RegistryUploadException>(() => upload.PushAsync(SampleImages.Small("wrong-password"), "fixtures/wrong", "v1"));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(401, registries.Tokens.Requests[^1].StatusCode);
    }

    [Theory]
    [InlineData(TokenKeyReference.CertificateChain)]
    [InlineData(TokenKeyReference.KeyId)]
    public async Task TheRegistryTrustsOnlyTheTokenServersKey(TokenKeyReference keyReference)
    {
        var registry = registries.Token;
        using var client = registry.CreateHttpClient();
        var access = new[] { new TokenAccess("repository", "fixtures/token", ["pull"]) };
        registries.Tokens.KeyReference = keyReference;
        try
        {
            using var trusted = await GetAsync(client, "v2/", new AuthenticationHeaderValue("Bearer", registries.Tokens.IssueToken("someone", access)));
            Assert.True(trusted.StatusCode == HttpStatusCode.OK, registry.Describe());
        }
        finally
        {
            registries.Tokens.KeyReference = TokenKeyReference.CertificateChain;
        }

        using var stranger = new TokenSigner("CN=not the token server");
        var forged = stranger.Sign(registries.Tokens.Issuer, "someone", registries.Tokens.Service, access, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), keyReference);
        using var refused = await GetAsync(client, "v2/", new AuthenticationHeaderValue("Bearer", forged));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task TheTokenAnswerCarriesLifetimeAndGrantsOnlyGrantableActions()
    {
        var tokens = registries.Tokens;
        tokens.GrantableActions = new HashSet<string> { "pull" };
        tokens.TokenLifetime = TimeSpan.FromSeconds(90);
        try
        {
            using var http = new HttpClient();
            using var request = TokenRequest(tokens, "repository:fixtures/token:pull,push");
            using var response = await http.SendAsync(request);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(90, answer.RootElement.GetProperty("expires_in").GetInt32());
            Assert.Equal(answer.RootElement.GetProperty("token").GetString(), answer.RootElement.GetProperty("access_token").GetString());
            Assert.True(answer.RootElement.TryGetProperty("issued_at", out _));

            var claims = DecodeClaims(answer.RootElement.GetProperty("token").GetString()!);
            var access = Assert.Single(claims.GetProperty("access").EnumerateArray());
            Assert.Equal(["pull"], access.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(tokens.Service, claims.GetProperty("aud").GetString());
            Assert.Equal(90, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        }
        finally
        {
            tokens.GrantableActions = null;
            tokens.TokenLifetime = TimeSpan.FromMinutes(5);
        }
    }

    [Fact]
    public async Task ARegistryCanBeStoppedAndStartedAgainWithItsContent()
    {
        await using var registry = await RegistryServer.StartAnonymousAsync();
        var image = SampleImages.Small("restart");
        using (var upload = new RegistryUpload(registry))
        {
            await upload.PushAsync(image, "fixtures/restart", "v1");
        }

        var port = registry.Port;
        await registry.StopAsync();
        Assert.False(registry.IsRunning);
        using var client = registry.CreateHttpClient();
        var down = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("v2/", UriKind.Relative)));
        Assert.Equal(SocketError.ConnectionRefused, (down.InnerException as SocketException)?.SocketErrorCode);

        await registry.StartAsync();
        Assert.Equal(port, registry.Port);
        using var manifest = await GetAsync(client, "v2/fixtures/restart/manifests/v1");
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, registry.ReadLog().Split("listening on").Length - 1);
    }

    [Fact]
    public async Task ARegistryThatCannotStartSaysWhyFromItsLog()
    {
        await using var tokens = await TokenServer.StartAsync();
        await File.WriteAllTextAsync(tokens.RootCertificatePath, "");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RegistryServer.StartTokenAuthAsync(tokens));
        Assert.Contains("token auth requires at least one token signing root certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APullThroughCacheServesTheUpstreamsContent()
    {
        var image = SampleImages.Small("proxied");
        using (var upload = new RegistryUpload(registries.Anonymous))
        {
            await upload.PushAsync(image, "fixtures/proxied", "v1");
        }

        await using var proxy = await RegistryServer.StartProxyAsync(registries.Anonymous.BaseUri);
        using var client = proxy.CreateHttpClient();
        using var manifest = await GetAsync(client, "v2/fixtures/proxied/manifests/v1");
        Assert.True(manifest.StatusCode == HttpStatusCode.OK, proxy.Describe());
        Assert.Equal(image.Digest, Header(manifest, "Docker-Content-Digest"));
        using var blob = await GetAsync(client, $"v2/fixtures/proxied/blobs/{image.Layers[0].Digest}");
        Assert.Equal(image.Layers[0].Bytes, await blob.Content.ReadAsByteArrayAsync());
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", AcceptAll);
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static HttpRequestMessage TokenRequest(TokenServer tokens, string scope)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(tokens.Realm, $"?service={Uri.EscapeDataString(tokens.Service)}&scope={Uri.EscapeDataString(scope)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RegistryFixture.User}:{RegistryFixture.Password}")));
        return request;
    }

    private static async Task<string> FetchTokenAsync(TokenServer tokens, string scope)
    {
        using var http = new HttpClient();
        using var request = TokenRequest(tokens, scope);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("token").GetString()!;
    }

    private static JsonElement DecodeClaims(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
        return document.RootElement.Clone();
    }
}
