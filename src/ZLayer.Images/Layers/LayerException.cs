using ZLayer.Images.Content;

namespace ZLayer.Images.Layers;

/// <summary>
/// A layer could not be unpacked. The message always names the layer and, when one was being
/// processed, the archive entry, so an operator can tell which image content is at fault without
/// a stack trace; the underlying exception, if any, is kept as <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class LayerException : Exception
{
    public LayerException(Digest layer, string? entryPath, string cause, Exception? inner = null)
        : base(Format(layer, entryPath, cause), inner)
    {
        Layer = layer;
        EntryPath = entryPath;
        Cause = cause;
    }

    /// <summary>The layer's diff ID, the name under which it was asked for.</summary>
    public Digest Layer { get; }

    /// <summary>The entry name as written in the archive, or null for whole-layer failures.</summary>
    public string? EntryPath { get; }

    public string Cause { get; }

    private static string Format(Digest layer, string? entryPath, string cause) =>
        entryPath is null ? $"layer {layer}: {cause}" : $"layer {layer}: entry '{entryPath}': {cause}";
}
