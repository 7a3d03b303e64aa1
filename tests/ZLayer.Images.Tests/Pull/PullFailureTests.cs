using System.Net;
using ZLayer.Images.Pull;
using ZLayer.Images.Tests.Fixtures;
using ZLayer.TestImages.Images;

namespace ZLayer.Images.Tests.Pull;

/// <summary>
/// A registry that fails (5xx, stalls, broken connections, wrong content) through a fault-injecting
/// proxy in front of a real one: every failure names the image and the blob, nothing unverified is
/// kept, and a retry resumes where the transfer stopped.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class PullFailureTests(RegistryFixture registries) : IAsyncLifetime, IDisposable
{
    private readonly ImageHarness _harness = new();
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync() => _proxy = await FaultProxy.StartAsync(registries.Anonymous.BaseUri);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    public void Dispose() => _harness.Dispose();

    private async Task<(BuiltImage Image, Spec.Values.ImageReference Reference)> PushAsync(string repository, int megabytes = 1)
    {
        var image = new OciImageBuilder().Layer(LayerBuilder.RandomLayer(megabytes, seed: repository.GetHashCode(StringComparison.Ordinal))).Layer(l => l.File("etc/name", repository)).Build();
        await ImageHarness.PushAsync(registries.Anonymous, image, repository);
        return (image, ImageHarness.Reference(_proxy.Host, repository));
    }

    private static bool IsBlob(Microsoft.AspNetCore.Http.HttpRequest request, string digest) =>
        request.Method == "GET" && request.Path.Value!.EndsWith("/blobs/" + digest, StringComparison.Ordinal);

    [Fact]
    public async Task A_registry_answering_500_fails_the_pull_naming_image_and_status_and_records_nothing()
    {
        var (_, reference) = await PushAsync("fail/500");
        _proxy.Rule = r => r.Path.Value!.Contains("/manifests/", StringComparison.Ordinal) ? new Fault.Status(HttpStatusCode.InternalServerError) : null;
        var service = _harness.Service();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => service.PullAsync(reference));

        Assert.Equal($"pull {reference.Original}: manifest latest: {_proxy.Host} answered 500 Internal Server Error", error.Message);
        Assert.Empty(service.Store.List());
    }

    [Fact]
    public async Task A_stalled_blob_is_resumed_with_a_range_request()
    {
        var (image, reference) = await PushAsync("fail/stall");
        var layer = image.Layers[0];
        var stalled = 0;
        _proxy.Rule = r => IsBlob(r, layer.Digest) && Interlocked.Increment(ref stalled) == 1 ? new Fault.StallAfter(300_000) : null;
        var steps = new List<PullProgress>();
        var service = _harness.Service();

        var record = await service.PullAsync(reference, new SynchronousProgress<PullProgress>(steps.Add));

        Assert.True(service.Store.IsComplete(record));
        Assert.Contains(_proxy.Requests, r => r.EndsWith($"/blobs/{layer.Digest} bytes=300000-", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Phase == PullPhase.Retrying && s.Message!.Contains("the registry stalled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_dropped_mid_blob_is_resumed()
    {
        var (image, reference) = await PushAsync("fail/drop");
        var layer = image.Layers[0];
        var dropped = 0;
        _proxy.Rule = r => IsBlob(r, layer.Digest) && Interlocked.Increment(ref dropped) == 1 ? new Fault.DropAfter(200_000) : null;
        var service = _harness.Service();

        var record = await service.PullAsync(reference);

        Assert.True(service.Store.IsComplete(record));
        Assert.Contains(_proxy.Requests, r => r.Contains($"/blobs/{layer.Digest} bytes=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_blob_whose_content_does_not_match_its_digest_is_not_kept_and_the_next_pull_succeeds()
    {
        var (image, reference) = await PushAsync("fail/corrupt");
        var layer = image.Layers[0];
        _proxy.Rule = r => IsBlob(r, layer.Digest) ? new Fault.Corrupt() : null;
        var service = _harness.Service();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => service.PullAsync(reference));

        Assert.Contains($"pull {reference.Original}: blob {layer.Digest}: the content's digest is sha256:", error.Message);
        Assert.False(service.Store.Blobs.Contains(ZLayer.Images.Content.Digest.Parse(layer.Digest)));
        Assert.DoesNotContain(ImageHarness.Listing(service.Store), p => p.EndsWith(".partial", StringComparison.Ordinal) && p.Contains(layer.Digest[7..], StringComparison.Ordinal));
        Assert.Null(service.Store.Find(reference));

        _proxy.Rule = _ => null;
        Assert.True(service.Store.IsComplete(await service.PullAsync(reference)));
    }

    [Fact]
    public async Task A_manifest_whose_digest_header_disagrees_with_its_content_is_refused()
    {
        var (_, reference) = await PushAsync("fail/header");
        var other = "sha256:" + new string('0', 64);
        _proxy.Rule = r => r.Path.Value!.EndsWith("/manifests/latest", StringComparison.Ordinal) ? new Fault.WrongDigestHeader(other) : null;
        var service = _harness.Service();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => service.PullAsync(reference));

        Assert.Contains($"the registry says its digest is {other} but the content hashes to", error.Message);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(service.Store.Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_pull_by_digest_refuses_a_manifest_that_does_not_hash_to_it()
    {
        var (image, _) = await PushAsync("fail/pinned");
        var reference = Spec.Values.ImageReference.Parse($"{_proxy.Host}/fail/pinned@{image.Digest}");
        _proxy.Rule = r => r.Path.Value!.Contains("/manifests/", StringComparison.Ordinal) ? new Fault.Corrupt() : null;

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _harness.Service().PullAsync(reference));

        Assert.Contains("not to the digest asked for; nothing was stored", error.Message);
    }

    [Fact]
    public async Task A_pull_cancelled_half_way_leaves_no_visible_blob_and_the_next_pull_resumes_it()
    {
        var (image, reference) = await PushAsync("fail/killed", megabytes: 4);
        var layer = image.Layers[0];
        _proxy.Rule = r => IsBlob(r, layer.Digest) ? new Fault.StallAfter(1_000_000) : null;
        var service = _harness.Service(options: ImageHarness.QuickOptions with { StallTimeout = TimeSpan.FromMinutes(5) });
        var partial = Path.Combine(service.Store.Root, "ingest", $"sha256-{layer.Digest[7..]}.partial");
        using var cancel = new CancellationTokenSource();

        long received = 0;
        var progress = new SynchronousProgress<PullProgress>(p =>
        {
            if (p.Phase == PullPhase.Downloading && p.Blob?.ToString() == layer.Digest)
            {
                Interlocked.Exchange(ref received, p.Current);
            }
        });

        var pull = service.PullAsync(reference, progress, cancel.Token);
        await Eventually.TrueAsync(() => Interlocked.Read(ref received) == 1_000_000, "the first megabyte reaches the puller");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull);

        Assert.False(service.Store.Blobs.Contains(ZLayer.Images.Content.Digest.Parse(layer.Digest)));
        Assert.Null(service.Store.Find(reference));
        Assert.Equal(1_000_000, new FileInfo(partial).Length);

        // A fresh service, as after a daemon restart: the partial file is all that survives.
        _proxy.Rule = _ => null;
        _proxy.Requests.Clear();
        var record = await _harness.Service().PullAsync(reference);

        Assert.True(service.Store.IsComplete(record));
        Assert.Contains(_proxy.Requests, r => r.EndsWith($"/blobs/{layer.Digest} bytes=1000000-", StringComparison.Ordinal));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task A_failing_pull_does_not_stop_another()
    {
        var (_, bad) = await PushAsync("fail/other-bad");
        var (_, good) = await PushAsync("fail/other-good");
        _proxy.Rule = r => r.Path.Value!.StartsWith("/v2/fail/other-bad/", StringComparison.Ordinal) ? new Fault.Status(HttpStatusCode.BadGateway) : null;
        var service = _harness.Service();

        var results = await Task.WhenAll(
            Task.Run(async () => (Exception?)await Record.ExceptionAsync(() => service.PullAsync(bad))),
            Task.Run(async () => (Exception?)await Record.ExceptionAsync(() => service.PullAsync(good))));

        Assert.IsType<ImagePullException>(results[0]);
        Assert.Null(results[1]);
        Assert.NotNull(service.Store.Find(good));
    }

    [Fact]
    public async Task A_crafted_layer_escaping_its_directory_fails_the_pull_naming_image_layer_and_entry()
    {
        var evil = new Layers.TarLayerBuilder().Directory("etc").File("etc/../../escaped", "owned");
        var layer = evil.Gzip();
        var layerDigest = ZLayer.Images.Content.Digest.Sha256(layer).ToString();
        var config = System.Text.Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{evil.DiffId()}}}"]}}""");
        var configDigest = ZLayer.Images.Content.Digest.Sha256(config).ToString();
        var manifest = System.Text.Encoding.UTF8.GetBytes($$$"""
            {"schemaVersion":2,"mediaType":"{{{ZLayer.Images.Manifests.MediaTypes.OciManifest}}}",
             "config":{"mediaType":"{{{ZLayer.Images.Manifests.MediaTypes.OciConfig}}}","digest":"{{{configDigest}}}","size":{{{config.Length}}}},
             "layers":[{"mediaType":"{{{ZLayer.Images.Manifests.MediaTypes.OciLayerGzip}}}","digest":"{{{layerDigest}}}","size":{{{layer.Length}}}}]}
            """);
        using (var upload = new ZLayer.TestImages.Registry.RegistryUpload(registries.Anonymous))
        {
            await upload.PushBlobAsync("fail/crafted", layerDigest, layer);
            await upload.PushBlobAsync("fail/crafted", configDigest, config);
            await upload.PushManifestAsync("fail/crafted", "latest", ZLayer.Images.Manifests.MediaTypes.OciManifest, manifest);
        }

        var reference = ImageHarness.Reference(_proxy.Host, "fail/crafted");
        var service = _harness.Service();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => service.PullAsync(reference));

        Assert.StartsWith($"pull {reference.Original}: layer {evil.DiffId()}: entry 'etc/../../escaped':", error.Message);
        Assert.Null(service.Store.Find(reference));
        Assert.False(service.Store.Layers.Contains(evil.DiffId()));
        Assert.False(File.Exists(Path.Combine(service.Store.Root, "escaped")));
        Assert.DoesNotContain(ImageHarness.Listing(service.Store), p => p.Contains(".unpack-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_prune_during_a_pull_keeps_what_the_pull_has_fetched_so_far()
    {
        var (image, reference) = await PushAsync("fail/prune-during");
        var top = image.Layers[1];
        var stalled = 0;
        _proxy.Rule = r => IsBlob(r, top.Digest) && Interlocked.Increment(ref stalled) == 1 ? new Fault.StallAfter(10) : null;
        var service = _harness.Service();
        var bottom = ZLayer.Images.Content.Digest.Parse(image.Layers[0].Digest);

        var pull = service.PullAsync(reference);
        await Eventually.TrueAsync(() => Volatile.Read(ref stalled) == 1 && service.Store.Layers.Contains(ZLayer.Images.Content.Digest.Parse(image.Layers[0].DiffId)), "the bottom layer is unpacked while the top one stalls");
        var pruned = service.Store.Prune();
        var record = await pull;

        Assert.Equal(new Store.PruneResult(0, 0, 0), pruned);
        Assert.True(service.Store.Blobs.Contains(bottom));
        Assert.True(service.Store.IsComplete(record));
    }
}
