using ZLayer.Images.Pull;
using ZLayer.Images.Tests.Fixtures;
using ZLayer.Spec.Model;
using ZLayer.TestImages.Images;

namespace ZLayer.Images.Tests.Pull;

/// <summary>pull_policy as SPEC.md defines it, observed through what reaches the registry.</summary>
[Collection(RegistryCollection.Name)]
public sealed class PullPolicyTests(RegistryFixture registries) : IAsyncLifetime, IDisposable
{
    private readonly ImageHarness _harness = new();
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync() => _proxy = await FaultProxy.StartAsync(registries.Anonymous.BaseUri);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    public void Dispose() => _harness.Dispose();

    private static BuiltImage Version(string repository, string version) =>
        new OciImageBuilder().Layer(l => l.File("etc/version", $"{repository} {version}")).Build();

    private async Task<Spec.Values.ImageReference> PushAsync(string repository, BuiltImage image)
    {
        await ImageHarness.PushAsync(registries.Anonymous, image, repository);
        return ImageHarness.Reference(_proxy.Host, repository);
    }

    [Fact]
    public async Task Never_uses_only_the_store_and_says_how_to_fill_it()
    {
        var reference = await PushAsync("policy/never", Version("policy/never", "1"));
        var service = _harness.Service();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => service.EnsureAsync(reference, PullPolicy.Never));
        Assert.Contains("is not in the local store and its pull_policy is never", error.Message);
        Assert.Empty(_proxy.Requests);

        await service.PullAsync(reference);
        _proxy.Requests.Clear();
        await service.EnsureAsync(reference, PullPolicy.Never);
        Assert.Empty(_proxy.Requests);
    }

    [Fact]
    public async Task If_not_present_never_asks_the_registry_once_the_image_is_stored_even_for_latest()
    {
        var reference = await PushAsync("policy/if-not-present", Version("policy/if-not-present", "1"));
        var service = _harness.Service();

        var first = await service.EnsureAsync(reference, PullPolicy.IfNotPresent);
        await PushAsync("policy/if-not-present", Version("policy/if-not-present", "2"));
        _proxy.Requests.Clear();
        var second = await service.EnsureAsync(reference, PullPolicy.IfNotPresent);

        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
        Assert.Empty(_proxy.Requests);
    }

    [Fact]
    public async Task Newer_checks_the_digest_with_one_head_request_and_pulls_only_a_change()
    {
        var one = Version("policy/newer", "1");
        var reference = await PushAsync("policy/newer", one);
        var service = _harness.Service();
        await service.EnsureAsync(reference, PullPolicy.Newer);

        _proxy.Requests.Clear();
        var unchanged = await service.EnsureAsync(reference, PullPolicy.Newer);
        Assert.Equal(one.Digest, unchanged.ManifestDigest.ToString());
        Assert.Equal(["HEAD /v2/policy/newer/manifests/latest"], _proxy.Requests);

        var two = Version("policy/newer", "2");
        await PushAsync("policy/newer", two);
        var changed = await service.EnsureAsync(reference, PullPolicy.Newer);
        Assert.Equal(two.Digest, changed.ManifestDigest.ToString());
        Assert.Equal($"policy/newer 2", File.ReadAllText(Path.Combine(service.Store.Layers.PathOf(changed.Layers[0].DiffId), "etc", "version")));
    }

    [Fact]
    public async Task Newer_keeps_the_stored_image_when_the_registry_cannot_be_asked()
    {
        var reference = await PushAsync("policy/newer-offline", Version("policy/newer-offline", "1"));
        var service = _harness.Service();
        var stored = await service.EnsureAsync(reference, PullPolicy.Newer);
        _proxy.Rule = _ => new Fault.Status(System.Net.HttpStatusCode.ServiceUnavailable);
        var steps = new List<PullProgress>();

        var used = await service.EnsureAsync(reference, PullPolicy.Newer, new SynchronousProgress<PullProgress>(steps.Add));

        Assert.Equal(stored, used);
        Assert.Contains("cannot check for a newer one", steps[^1].Message);
    }

    [Fact]
    public async Task Always_asks_for_the_manifest_but_fetches_no_blob_it_already_has()
    {
        var reference = await PushAsync("policy/always", Version("policy/always", "1"));
        var service = _harness.Service();
        await service.EnsureAsync(reference, PullPolicy.Always);

        _proxy.Requests.Clear();
        await service.EnsureAsync(reference, PullPolicy.Always);

        Assert.Equal(["GET /v2/policy/always/manifests/latest"], _proxy.Requests);
    }

    [Fact]
    public async Task A_digest_pinned_reference_that_is_stored_is_never_fetched_again()
    {
        var image = Version("policy/pinned", "1");
        await PushAsync("policy/pinned", image);
        var reference = Spec.Values.ImageReference.Parse($"{_proxy.Host}/policy/pinned@{image.Digest}");
        var service = _harness.Service();
        await service.EnsureAsync(reference, PullPolicy.Always);

        _proxy.Requests.Clear();
        await service.EnsureAsync(reference, PullPolicy.Always);

        Assert.Empty(_proxy.Requests);
    }
}
