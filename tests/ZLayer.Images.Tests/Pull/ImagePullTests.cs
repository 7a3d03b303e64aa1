using ZLayer.Images.Content;
using ZLayer.Images.Pull;
using ZLayer.Images.Registry;
using ZLayer.Images.Tests.Fixtures;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;

namespace ZLayer.Images.Tests.Pull;

/// <summary>Pulls from a real docker-registry: formats, platforms, the three kinds of auth, mirrors, sharing.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ImagePullTests(RegistryFixture registries) : IDisposable
{
    private readonly ImageHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(ImageFormat.Oci)]
    [InlineData(ImageFormat.Docker)]
    public async Task A_pull_stores_the_manifest_config_and_layers_and_unpacks_each_layer(ImageFormat format)
    {
        var image = SampleImages.Small($"pull-{format}", format: format);
        var reference = await ImageHarness.PushAsync(registries.Anonymous, image, "pull/basic", format.ToString().ToLowerInvariant());
        var service = _harness.Service();

        var record = await service.PullAsync(reference);

        Assert.Equal(reference.Canonical, record.Reference);
        Assert.Equal(image.Digest, record.ManifestDigest.ToString());
        Assert.Equal(image.Config!.Digest, record.ConfigDigest.ToString());
        Assert.Equal(image.Layers.Select(l => l.DiffId), record.Layers.Select(l => l.DiffId.ToString()));
        Assert.True(service.Store.IsComplete(record));
        var bottom = service.Store.Layers.PathOf(record.Layers[0].DiffId);
        Assert.Equal($"pull-{format}", File.ReadAllText(Path.Combine(bottom, "etc", "marker")));
        Assert.Equal(record, service.Store.Find(reference));
    }

    [Theory]
    [InlineData(ImageFormat.Oci)]
    [InlineData(ImageFormat.Docker)]
    public async Task An_index_resolves_to_this_nodes_platform(ImageFormat format)
    {
        var index = SampleImages.TwoPlatforms($"platforms-{format}", format);
        var reference = await ImageHarness.PushAsync(registries.Anonymous, index, "pull/multi", format.ToString().ToLowerInvariant());
        var service = _harness.Service();

        var record = await service.PullAsync(reference);

        Assert.Equal(index.Digest, record.TopDigest.ToString());
        Assert.Equal(index.ForPlatform(ImagePlatform.LinuxAmd64).Digest, record.ManifestDigest.ToString());
        Assert.Equal("linux/amd64", record.Platform.ToString());
    }

    [Fact]
    public async Task An_index_without_this_platform_is_refused_naming_what_it_offers()
    {
        var arm = new OciImageBuilder(ImagePlatform.LinuxArm64V8).Layer(l => l.File("x", "arm only")).Build();
        var index = new OciIndexBuilder().Add(arm).Build();
        var reference = await ImageHarness.PushAsync(registries.Anonymous, index, "pull/arm-only");

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _harness.Service().PullAsync(reference));

        Assert.Contains("no image for this node's platform linux/amd64", error.Message);
        Assert.Contains("linux/arm64/v8", error.Message);
    }

    [Fact]
    public async Task Basic_auth_needs_a_login_and_says_how_to_give_one()
    {
        var reference = await ImageHarness.PushAsync(registries.Basic, SampleImages.Small("basic"), "pull/basic-auth");

        var refused = await Assert.ThrowsAsync<ImagePullException>(() => _harness.Service().PullAsync(reference));
        Assert.Contains($"zlayer login {registries.Basic.Host}", refused.Message);

        var wrong = _harness.Service(s => s.With(registries.Basic.Host, h => h with { Credential = new RegistryCredential(RegistryFixture.User, "wrong") }));
        Assert.Contains("login for", (await Assert.ThrowsAsync<ImagePullException>(() => wrong.PullAsync(reference))).Message);

        var service = _harness.Service(s => s.With(registries.Basic.Host, h => h with { Credential = new RegistryCredential(RegistryFixture.User, RegistryFixture.Password) }));
        var record = await service.PullAsync(reference);
        Assert.True(service.Store.IsComplete(record));
    }

    [Fact]
    public async Task Token_auth_fetches_one_token_for_the_scope_and_reuses_it_for_every_blob()
    {
        var image = new OciImageBuilder().Layer(l => l.File("a", "1")).Layer(l => l.File("b", "2")).Layer(l => l.File("c", "3")).Build();
        var reference = await ImageHarness.PushAsync(registries.Token, image, "pull/token");
        registries.Tokens.ResetCounters();
        var service = _harness.Service(s => s.With(registries.Token.Host, h => h with { Credential = new RegistryCredential(RegistryFixture.User, RegistryFixture.Password) }));

        var record = await service.PullAsync(reference);

        Assert.True(service.Store.IsComplete(record));
        Assert.Equal(1, registries.Tokens.IssuedCount);
        Assert.Equal(["repository:pull/token:pull"], registries.Tokens.RequestedScopes);
    }

    [Fact]
    public async Task A_refusing_token_endpoint_is_named_in_the_error()
    {
        var reference = await ImageHarness.PushAsync(registries.Token, SampleImages.Small("token-refused"), "pull/token-refused");
        var service = _harness.Service(s => s.With(registries.Token.Host, h => h with { Credential = new RegistryCredential(RegistryFixture.User, RegistryFixture.Password) }));
        registries.Tokens.RefuseWith = System.Net.HttpStatusCode.Forbidden;
        try
        {
            var error = await Assert.ThrowsAsync<ImagePullException>(() => service.PullAsync(reference));

            Assert.Contains($"pull {reference.Original}:", error.Message);
            Assert.Contains($"the token endpoint {registries.Tokens.Realm} refused the token request (403", error.Message);
            Assert.Null(service.Store.Find(reference));
        }
        finally
        {
            registries.Tokens.RefuseWith = null;
        }
    }

    [Fact]
    public async Task Mirrors_are_tried_in_order_before_the_registry()
    {
        await using var mirror = await RegistryServer.StartAnonymousAsync();
        var image = SampleImages.Small("mirrored");
        await ImageHarness.PushAsync(mirror, image, "team/app", "1");

        // The named registry does not exist; a dead first mirror is skipped, the live one serves.
        var reference = ImageHarness.Reference("registry.invalid:5000", "team/app", "1");
        var service = _harness.Service(s => s.With("registry.invalid:5000", h => h with { Mirrors = [new Uri("http://127.0.0.1:1"), mirror.BaseUri] }));

        var record = await service.PullAsync(reference);

        Assert.Equal(image.Digest, record.ManifestDigest.ToString());
        Assert.Equal("registry.invalid:5000/team/app:1", record.Reference);
    }

    [Fact]
    public async Task When_every_mirror_fails_the_registry_answers_and_the_error_would_name_them_all()
    {
        var image = SampleImages.Small("mirror-fallback");
        var reference = await ImageHarness.PushAsync(registries.Anonymous, image, "pull/fallback");
        var service = _harness.Service(s => s.With(registries.Anonymous.Host, h => h with { Mirrors = [new Uri("http://127.0.0.1:1")] }));

        var record = await service.PullAsync(reference);
        Assert.Equal(image.Digest, record.ManifestDigest.ToString());

        var missing = ImageHarness.Reference(registries.Anonymous.Host, "pull/never-pushed");
        var error = await Assert.ThrowsAsync<ImagePullException>(() => service.PullAsync(missing));
        Assert.Contains("not found at", error.Message);
        Assert.Contains("mirror http://127.0.0.1:1/", error.Message);
    }

    [Fact]
    public async Task A_second_image_sharing_all_but_one_layer_transfers_only_that_layer()
    {
        var shared = LayerBuilder.RandomLayer(1, seed: 11);
        var first = new OciImageBuilder().Layer(shared).Layer(l => l.File("app", "v1")).Build();
        var second = new OciImageBuilder().Layer(shared).Layer(l => l.File("app", "v2")).Build();
        await ImageHarness.PushAsync(registries.Anonymous, first, "pull/shared", "v1");
        await ImageHarness.PushAsync(registries.Anonymous, second, "pull/shared", "v2");
        await using var proxy = await FaultProxy.StartAsync(registries.Anonymous.BaseUri);
        var service = _harness.Service();

        await service.PullAsync(ImageHarness.Reference(proxy.Host, "pull/shared", "v1"));
        proxy.Requests.Clear();
        var record = await service.PullAsync(ImageHarness.Reference(proxy.Host, "pull/shared", "v2"));

        var blobGets = proxy.Requests.Where(r => r.StartsWith("GET /v2/pull/shared/blobs/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            new[] { second.Config!.Digest, second.Layers[1].Digest }.Order(),
            blobGets.Select(r => r.Split('/')[^1]).Order());
        Assert.Equal(first.Layers[0].DiffId, record.Layers[0].DiffId.ToString());
    }

    [Fact]
    public async Task Concurrent_pulls_of_one_reference_share_one_transfer()
    {
        var image = SampleImages.Small("concurrent");
        await ImageHarness.PushAsync(registries.Anonymous, image, "pull/concurrent");
        await using var proxy = await FaultProxy.StartAsync(registries.Anonymous.BaseUri);
        var service = _harness.Service();
        var reference = ImageHarness.Reference(proxy.Host, "pull/concurrent");

        var records = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => service.PullAsync(reference)));

        Assert.All(records, r => Assert.Equal(records[0], r));
        Assert.Equal(image.Layers.Count, proxy.Requests.Count(r => r.StartsWith("GET /v2/pull/concurrent/blobs/", StringComparison.Ordinal) && !r.EndsWith(image.Config!.Digest, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Progress_reports_each_blob_and_ends_with_done()
    {
        var image = SampleImages.Small("progress");
        var reference = await ImageHarness.PushAsync(registries.Anonymous, image, "pull/progress");
        var steps = new List<PullProgress>();

        await _harness.Service().PullAsync(reference, new SynchronousProgress<PullProgress>(steps.Add));

        Assert.Equal(PullPhase.Resolving, steps[0].Phase);
        Assert.Equal(PullPhase.Done, steps[^1].Phase);
        foreach (var layer in image.Layers)
        {
            Assert.Contains(steps, s => s.Phase == PullPhase.Downloaded && s.Blob == Digest.Parse(layer.Digest));
            Assert.Contains(steps, s => s.Phase == PullPhase.Ready && s.Blob == Digest.Parse(layer.Digest));
        }
    }

    [Fact]
    public async Task A_cached_token_is_used_until_it_expires_then_a_new_one_is_fetched()
    {
        var login = new RegistryCredential(RegistryFixture.User, RegistryFixture.Password);
        foreach (var tag in new[] { "a", "b", "c" })
        {
            await ImageHarness.PushAsync(registries.Token, SampleImages.Small($"expiry-{tag}"), "pull/expiry", tag);
        }

        var time = new ManualTime();
        var settings = RegistrySettings.Empty.With(registries.Token.Host, h => h with { Credential = login });
        using var client = new RegistryClient(settings, ImageHarness.QuickOptions, time: time);
        var puller = new ImagePuller(new Store.ImageStore(Path.Combine(_harness.Root, "expiry")), client, time: time);
        registries.Tokens.ResetCounters();

        await puller.PullAsync(ImageHarness.Reference(registries.Token.Host, "pull/expiry", "a"));
        await puller.PullAsync(ImageHarness.Reference(registries.Token.Host, "pull/expiry", "b"));
        Assert.Equal(1, registries.Tokens.IssuedCount);

        time.Advance(registries.Tokens.TokenLifetime);
        await puller.PullAsync(ImageHarness.Reference(registries.Token.Host, "pull/expiry", "c"));
        Assert.Equal(2, registries.Tokens.IssuedCount);
    }
}
