namespace ZLayer.TestImages.Images;

/// <summary>The settings an image config carries besides its layers.</summary>
internal sealed class ImageConfigSettings
{
    public List<string> Env { get; } = [];

    public List<string>? Entrypoint { get; set; }

    public List<string>? Cmd { get; set; }

    public string? WorkingDir { get; set; }

    public string? User { get; set; }

    public SortedSet<string> ExposedPorts { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Created { get; set; } = LayerBuilder.ModificationTime;
}
