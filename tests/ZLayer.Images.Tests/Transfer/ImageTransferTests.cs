using System.Formats.Tar;
using ZLayer.Images.Pull;
using ZLayer.Images.Registry;
using ZLayer.Images.Tests.Fixtures;
using ZLayer.Images.Tests.Pull;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Images;

namespace ZLayer.Images.Tests.Transfer;

/// <summary>Import for air-gapped nodes, push to registries, and collection of what nothing needs.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ImageTransferTests(RegistryFixture registries) : IDisposable
{
    private readonly ImageHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private string PathIn(string name) => Path.Combine(_harness.Root, name);

    [Fact]
    public async Task An_oci_layout_directory_imports_under_its_tag_with_its_layers_unpacked()
    {
        var image = SampleImages.Small("layout");
        image.WriteOciLayout(PathIn("layout"), "v3");
        var service = _harness.Service();

        var record = Assert.Single(await service.ImportAsync(PathIn("layout"), ImageReference.Parse("example.com/app")));

        Assert.Equal("example.com/app:v3", record.Reference);
        Assert.Equal(image.Digest, record.ManifestDigest.ToString());
        Assert.Equal("layout", File.ReadAllText(Path.Combine(service.Store.Layers.PathOf(record.Layers[0].DiffId), "etc", "marker")));
        Assert.True(service.Store.IsComplete(record));
    }

    [Fact]
    public async Task An_oci_layout_of_an_index_imports_this_platforms_image()
    {
        var index = SampleImages.TwoPlatforms("layout-index");
        index.WriteOciLayoutTar(PathIn("index.tar"), "multi");
        var service = _harness.Service();

        var record = Assert.Single(await service.ImportAsync(PathIn("index.tar"), ImageReference.Parse("example.com/multi")));

        Assert.Equal(index.Digest, record.TopDigest.ToString());
        Assert.Equal(index.ForPlatform(ImagePlatform.LinuxAmd64).Digest, record.ManifestDigest.ToString());
    }

    [Fact]
    public async Task A_docker_archive_imports_under_its_repo_tag()
    {
        var image = SampleImages.Small("archive", format: ImageFormat.Docker);
        image.WriteDockerArchive(PathIn("saved.tar"), "example.com/saved:1.0");
        var service = _harness.Service();

        var record = Assert.Single(await service.ImportAsync(PathIn("saved.tar")));

        Assert.Equal("example.com/saved:1.0", record.Reference);
        Assert.Equal(image.Layers.Select(l => l.DiffId), record.Layers.Select(l => l.DiffId.ToString()));
        Assert.Equal("archive", File.ReadAllText(Path.Combine(service.Store.Layers.PathOf(record.Layers[0].DiffId), "etc", "marker")));
    }

    [Fact]
    public async Task An_archive_naming_a_file_outside_itself_is_refused_and_nothing_is_recorded()
    {
        await using (var file = File.Create(PathIn("evil.tar")))
        await using (var tar = new TarWriter(file))
        {
            var manifest = new PaxTarEntry(TarEntryType.RegularFile, "manifest.json")
            {
                DataStream = new MemoryStream("""[{"Config":"../../etc/passwd","RepoTags":["evil:1"],"Layers":[]}]"""u8.ToArray()),
            };
            await tar.WriteEntryAsync(manifest);
        }

        var service = _harness.Service();
        var error = await Assert.ThrowsAsync<ImagePullException>(() => service.ImportAsync(PathIn("evil.tar")));

        Assert.Contains("manifest.json: $[0].Config: '../../etc/passwd' is not a file inside the archive", error.Message);
        Assert.Empty(service.Store.List());
    }

    [Fact]
    public async Task A_layout_blob_that_does_not_match_its_digest_is_refused()
    {
        var image = SampleImages.Small("tampered");
        image.WriteOciLayout(PathIn("tampered"), "1");
        var layer = image.Layers[0];
        var path = PathIn($"tampered/blobs/sha256/{layer.Digest[7..]}");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        var service = _harness.Service();

        var error = await Record.ExceptionAsync(() => service.ImportAsync(PathIn("tampered"), ImageReference.Parse("example.com/t")));

        Assert.Contains(layer.Digest, error!.Message);
        Assert.Empty(service.Store.List());
        Assert.False(service.Store.Blobs.Contains(ZLayer.Images.Content.Digest.Parse(layer.Digest)));
    }

    [Fact]
    public async Task A_pushed_image_pulls_back_identical_and_a_push_within_a_registry_mounts_instead_of_uploading()
    {
        var image = SampleImages.Small("push");
        var source = await ImageHarness.PushAsync(registries.Anonymous, image, "push/source", "1");
        await using var proxy = await FaultProxy.StartAsync(registries.Anonymous.BaseUri);
        var service = _harness.Service();
        var record = await service.PullAsync(ImageHarness.Reference(proxy.Host, "push/source", "1"));

        var target = ImageHarness.Reference(proxy.Host, "push/target", "copy");
        proxy.Requests.Clear();
        await service.PushAsync(record, target);

        Assert.Contains(proxy.Requests, r => r.StartsWith("POST /v2/push/target/blobs/uploads/?mount=", StringComparison.Ordinal));
        Assert.DoesNotContain(proxy.Requests, r => r.StartsWith("PUT /v2/push/target/blobs/", StringComparison.Ordinal));
        var other = new ImageHarness();
        try
        {
            var back = await other.Service().PullAsync(target);
            Assert.Equal(image.Digest, back.ManifestDigest.ToString());
        }
        finally
        {
            other.Dispose();
        }

        _ = source;
    }

    [Fact]
    public async Task An_imported_image_pushes_to_a_token_registry_with_a_login()
    {
        var image = SampleImages.Small("push-token");
        image.WriteOciLayout(PathIn("push-token"), "1");
        var login = new RegistryCredential(RegistryFixture.User, RegistryFixture.Password);
        var service = _harness.Service(s => s.With(registries.Token.Host, h => h with { Credential = login }));
        var record = Assert.Single(await service.ImportAsync(PathIn("push-token"), ImageReference.Parse("local/push-token")));

        var target = ImageHarness.Reference(registries.Token.Host, "push/token", "1");
        await service.PushAsync(record, target);

        var fresh = new ImageHarness();
        try
        {
            var back = await fresh.Service(s => s.With(registries.Token.Host, h => h with { Credential = login })).PullAsync(target);
            Assert.Equal(image.Digest, back.ManifestDigest.ToString());
        }
        finally
        {
            fresh.Dispose();
        }
    }

    [Fact]
    public async Task Prune_removes_only_what_no_image_needs()
    {
        var shared = LayerBuilder.RandomLayer(1, seed: 5);
        var keep = new OciImageBuilder().Layer(shared).Layer(l => l.File("keep", "k")).Build();
        var drop = new OciImageBuilder().Layer(shared).Layer(l => l.File("drop", "d")).Build();
        keep.WriteOciLayout(PathIn("keep"), "1");
        drop.WriteOciLayout(PathIn("drop"), "1");
        var service = _harness.Service();
        var kept = Assert.Single(await service.ImportAsync(PathIn("keep"), ImageReference.Parse("local/keep")));
        var dropped = Assert.Single(await service.ImportAsync(PathIn("drop"), ImageReference.Parse("local/drop")));

        Assert.True(service.Store.Remove(dropped.Reference));
        var result = service.Store.Prune();

        Assert.Equal(1, result.Layers);
        Assert.Equal(3, result.Blobs); // its own layer, config and manifest
        Assert.True(service.Store.IsComplete(kept));
        Assert.False(service.Store.Layers.Contains(dropped.Layers[1].DiffId));
        Assert.True(service.Store.Layers.Contains(dropped.Layers[0].DiffId));
        Assert.Equal(new Store.PruneResult(0, 0, 0), service.Store.Prune());
    }

    [Fact]
    public async Task Prune_keeps_what_a_running_replica_uses_even_after_its_reference_is_removed()
    {
        var image = SampleImages.Small("in-use");
        image.WriteOciLayout(PathIn("in-use"), "1");
        var service = _harness.Service();
        var record = Assert.Single(await service.ImportAsync(PathIn("in-use"), ImageReference.Parse("local/in-use")));
        service.Store.Remove(record.Reference);

        service.Store.Prune(manifestsInUse: [record.ManifestDigest]);

        Assert.True(service.Store.IsComplete(record));
    }
}
