namespace ZLayer.TestImages.Images;

/// <summary>Builds an OCI image index, or a Docker manifest list, over single-platform images.</summary>
public sealed class OciIndexBuilder
{
    private readonly List<BuiltImage> _images = [];
    private readonly SortedDictionary<string, string> _annotations = new(StringComparer.Ordinal);
    private ImageFormat _format = ImageFormat.Oci;

    public OciIndexBuilder Format(ImageFormat format)
    {
        _format = format;
        return this;
    }

    /// <summary>A Docker manifest list rather than an OCI index.</summary>
    public OciIndexBuilder Docker() => Format(ImageFormat.Docker);

    public OciIndexBuilder Add(BuiltImage image)
    {
        if (image.IsIndex)
        {
            throw new ArgumentException("an index lists single-platform images here", nameof(image));
        }

        _images.Add(image);
        return this;
    }

    public OciIndexBuilder Add(OciImageBuilder image) => Add(image.Build());

    public OciIndexBuilder Annotation(string name, string value)
    {
        _annotations[name] = value;
        return this;
    }

    public BuiltImage Build()
    {
        if (_images.Count == 0)
        {
            throw new InvalidOperationException("an index needs at least one image");
        }

        var mediaType = MediaTypes.Index(_format);
        var index = new ImageBlob(mediaType, ManifestJson.Index(mediaType, _images, _annotations));
        return new BuiltImage(_format, index, null, null, [], [.. _images]);
    }

    /// <summary>Shorthand for an index over <paramref name="images"/>.</summary>
    public static BuiltImage Of(ImageFormat format, params BuiltImage[] images)
    {
        var builder = new OciIndexBuilder().Format(format);
        foreach (var image in images)
        {
            builder.Add(image);
        }

        return builder.Build();
    }
}
