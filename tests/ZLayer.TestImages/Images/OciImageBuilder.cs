using System.IO.Compression;

namespace ZLayer.TestImages.Images;

/// <summary>
/// Builds a single-platform image in memory: layers from <see cref="LayerBuilder"/>s, a config and
/// a manifest, OCI by default or Docker schema 2. Output depends only on the calls made.
/// </summary>
public sealed class OciImageBuilder
{
    private readonly List<LayerBuilder> _layers = [];
    private readonly ImageConfigSettings _config = new();
    private ImagePlatform _platform;
    private ImageFormat _format = ImageFormat.Oci;
    private LayerCompression _compression = LayerCompression.Gzip;

    public OciImageBuilder(ImagePlatform? platform = null)
    {
        _platform = platform ?? ImagePlatform.LinuxAmd64;
    }

    public OciImageBuilder Platform(ImagePlatform platform)
    {
        _platform = platform;
        return this;
    }

    public OciImageBuilder Platform(string os, string architecture, string? variant = null) => Platform(new ImagePlatform(os, architecture, variant));

    public OciImageBuilder Format(ImageFormat format)
    {
        _format = format;
        return this;
    }

    /// <summary>Docker schema 2 media types for the manifest, config and layers.</summary>
    public OciImageBuilder Docker() => Format(ImageFormat.Docker);

    /// <summary>How layers that do not choose are stored; gzip unless changed.</summary>
    public OciImageBuilder Compression(LayerCompression compression)
    {
        _compression = compression;
        return this;
    }

    public OciImageBuilder Uncompressed() => Compression(LayerCompression.None);

    public OciImageBuilder Layer(LayerBuilder layer)
    {
        _layers.Add(layer);
        return this;
    }

    public OciImageBuilder Layer(Action<LayerBuilder> build)
    {
        var layer = new LayerBuilder();
        build(layer);
        return Layer(layer);
    }

    public OciImageBuilder Env(string name, string value)
    {
        _config.Env.Add($"{name}={value}");
        return this;
    }

    public OciImageBuilder Entrypoint(params string[] entrypoint)
    {
        _config.Entrypoint = [.. entrypoint];
        return this;
    }

    public OciImageBuilder Cmd(params string[] cmd)
    {
        _config.Cmd = [.. cmd];
        return this;
    }

    public OciImageBuilder WorkingDir(string directory)
    {
        _config.WorkingDir = directory;
        return this;
    }

    public OciImageBuilder User(string user)
    {
        _config.User = user;
        return this;
    }

    /// <summary>A port as the config spells it, e.g. <c>80/tcp</c>; a bare number means tcp.</summary>
    public OciImageBuilder ExposePort(string port)
    {
        _config.ExposedPorts.Add(port.Contains('/', StringComparison.Ordinal) ? port : port + "/tcp");
        return this;
    }

    public OciImageBuilder ExposePort(int port) => ExposePort($"{port}/tcp");

    public OciImageBuilder Label(string name, string value)
    {
        _config.Labels[name] = value;
        return this;
    }

    /// <summary>The config's and history's created time; fixed unless set, so digests are stable.</summary>
    public OciImageBuilder Created(DateTimeOffset created)
    {
        _config.Created = created;
        return this;
    }

    public BuiltImage Build()
    {
        var layers = _layers.Select(BuildLayer).ToList();
        var config = new ImageBlob(MediaTypes.Config(_format), ImageConfigJson.Write(_platform, _config, layers));
        var manifestType = MediaTypes.Manifest(_format);
        var manifest = new ImageBlob(manifestType, ManifestJson.Manifest(manifestType, config, layers));
        return new BuiltImage(_format, manifest, _platform, config, layers, []);
    }

    private BuiltLayer BuildLayer(LayerBuilder layer)
    {
        var compression = layer.Compression ?? _compression;
        var tar = layer.ToTar();
        var bytes = compression == LayerCompression.Gzip ? Gzip(tar) : tar;
        return new BuiltLayer(MediaTypes.Layer(_format, compression), compression, bytes, tar, layer.Comment);
    }

    private static byte[] Gzip(byte[] tar)
    {
        using var compressed = new MemoryStream();
        // GZipStream writes no name or time in its header, so equal tars give equal blobs.
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return compressed.ToArray();
    }
}
