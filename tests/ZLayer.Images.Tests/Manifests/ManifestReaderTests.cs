using System.Text;
using ZLayer.Images.Content;
using ZLayer.Images.Manifests;

namespace ZLayer.Images.Tests.Manifests;

public sealed class ManifestReaderTests
{
    private const string Hex1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string Hex2 = "2222222222222222222222222222222222222222222222222222222222222222";

    private static object Read(string json, string? contentType = null) => ManifestReader.Read(Encoding.UTF8.GetBytes(json), contentType, "busybox: manifest x");

    private static string Failure(string json, string? contentType = null) =>
        Assert.Throws<ManifestException>(() => Read(json, contentType)).Message;

    [Fact]
    public void An_oci_manifest_gives_its_config_and_layers_in_order()
    {
        var manifest = Assert.IsType<ImageManifest>(Read($$$"""
            {"schemaVersion":2,"mediaType":"{{{MediaTypes.OciManifest}}}",
             "config":{"mediaType":"{{{MediaTypes.OciConfig}}}","digest":"sha256:{{{Hex1}}}","size":7},
             "layers":[{"mediaType":"{{{MediaTypes.OciLayerGzip}}}","digest":"sha256:{{{Hex2}}}","size":100},
                       {"mediaType":"{{{MediaTypes.OciLayer}}}","digest":"sha256:{{{Hex1}}}","size":5}]}
            """));

        Assert.Equal(Digest.Parse($"sha256:{Hex1}"), manifest.Config.Digest);
        Assert.Equal([100L, 5L], manifest.Layers.Select(l => l.Size));
        Assert.Equal(MediaTypes.OciLayerGzip, manifest.Layers[0].MediaType);
    }

    [Fact]
    public void A_docker_manifest_without_its_own_media_type_is_known_by_its_content_type()
    {
        var manifest = Assert.IsType<ImageManifest>(Read($$$"""
            {"schemaVersion":2,"config":{"mediaType":"{{{MediaTypes.DockerConfig}}}","digest":"sha256:{{{Hex1}}}","size":7},"layers":[]}
            """, MediaTypes.DockerManifest + "; charset=utf-8"));

        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
    }

    [Fact]
    public void Errors_name_the_document_and_the_json_path()
    {
        var badDigest = Failure($$$"""
            {"mediaType":"{{{MediaTypes.OciManifest}}}","config":{"mediaType":"x","digest":"sha256:{{{Hex1}}}","size":1},
             "layers":[{"mediaType":"x","digest":"sha256:{{{Hex2}}}","size":1},{"mediaType":"x","digest":"sha256:abc","size":1}]}
            """);
        Assert.StartsWith("busybox: manifest x: $.layers[1].digest:", badDigest);

        var negative = Failure($$$"""{"mediaType":"{{{MediaTypes.OciManifest}}}","config":{"mediaType":"x","digest":"sha256:{{{Hex1}}}","size":-1},"layers":[]}""");
        Assert.StartsWith("busybox: manifest x: $.config.size: expected a non-negative integer", negative);

        Assert.Contains("$.layers: is required", Failure($$$"""{"mediaType":"{{{MediaTypes.OciManifest}}}","config":{"mediaType":"x","digest":"sha256:{{{Hex1}}}","size":1}}"""));
        Assert.Contains("not valid JSON (line 1", Failure("{"));
    }

    [Fact]
    public void Schema_1_and_disagreeing_media_types_are_refused_with_the_reason()
    {
        Assert.Contains("schema 1 manifests are deprecated", Failure("""{"schemaVersion":1,"name":"x","fsLayers":[]}"""));
        Assert.Contains("does not agree with the Content-Type", Failure($$$"""{"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[]}""", MediaTypes.DockerManifest));
        Assert.Contains("is not an image manifest or index", Failure("""{"mediaType":"application/vnd.example+json"}"""));
    }

    [Fact]
    public void An_index_selects_this_platform_preferring_the_exact_variant()
    {
        var index = Assert.IsType<ImageIndex>(Read($$$"""
            {"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[
              {"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"sha256:{{{Hex1}}}","size":1,"platform":{"os":"linux","architecture":"arm","variant":"v6"}},
              {"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"sha256:{{{Hex2}}}","size":2,"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
              {"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"sha256:{{{Hex1}}}","size":3,"platform":{"os":"linux","architecture":"amd64"}},
              {"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"sha256:{{{Hex2}}}","size":4,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}
            """));

        Assert.Equal(2, index.Select(new Platform("linux", "arm", "v7"))!.Size);
        Assert.Equal(1, index.Select(new Platform("linux", "arm", "v6"))!.Size);
        Assert.Equal(3, index.Select(new Platform("linux", "amd64"))!.Size);
        Assert.Equal(4, index.Select(new Platform("linux", "arm64"))!.Size);
        Assert.Null(index.Select(new Platform("linux", "s390x")));
        Assert.Null(index.Select(new Platform("windows", "amd64")));
    }

    [Fact]
    public void A_config_gives_what_running_the_image_needs()
    {
        var config = ManifestReader.ReadConfig(Encoding.UTF8.GetBytes($$$"""
            {"architecture":"amd64","os":"linux","created":"2026-01-02T03:04:05Z",
             "config":{"Env":["PATH=/bin"],"Entrypoint":["/bin/sh","-c"],"Cmd":null,"WorkingDir":"/srv","User":"1000:1000",
                       "ExposedPorts":{"80/tcp":{}},"Labels":{"a":"b"},"StopSignal":"SIGQUIT"},
             "rootfs":{"type":"layers","diff_ids":["sha256:{{{Hex1}}}","sha256:{{{Hex2}}}"]}}
            """), "cfg");

        Assert.Equal(new Platform("linux", "amd64"), config.Platform);
        Assert.Equal(["/bin/sh", "-c"], config.Entrypoint!);
        Assert.Null(config.Cmd);
        Assert.Equal("/srv", config.WorkingDir);
        Assert.Equal(["80/tcp"], config.ExposedPorts);
        Assert.Equal("b", config.Labels["a"]);
        Assert.Equal(2, config.DiffIds.Count);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), config.Created);

        var bad = Assert.Throws<ManifestException>(() => ManifestReader.ReadConfig(Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"diff_ids":["nope"]}}"""), "cfg"));
        Assert.Equal("cfg: $.rootfs.diff_ids[0]: expected a digest such as sha256:<64 hex>", bad.Message);
    }
}
