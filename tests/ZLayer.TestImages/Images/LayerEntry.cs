using System.Formats.Tar;

namespace ZLayer.TestImages.Images;

/// <summary>One tar entry a layer will hold; mutable so an implied parent directory can take the attributes given later.</summary>
internal sealed class LayerEntry
{
    public LayerEntry(TarEntryType type, string name)
    {
        Type = type;
        Name = name;
    }

    public TarEntryType Type { get; }

    public string Name { get; }

    public UnixFileMode Mode { get; set; }

    public int Uid { get; set; }

    public int Gid { get; set; }

    public byte[]? Content { get; set; }

    public string? LinkTarget { get; set; }
}
