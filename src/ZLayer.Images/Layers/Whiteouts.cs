namespace ZLayer.Images.Layers;

/// <summary>What an entry's base name says about lower layers, per the OCI image-spec whiteout rules.</summary>
internal enum WhiteoutKind
{
    /// <summary>An ordinary entry, to be created.</summary>
    None,

    /// <summary><c>.wh.NAME</c>: NAME from lower layers is removed; the marker itself is not created.</summary>
    Remove,

    /// <summary><c>.wh..wh..opq</c>: the containing directory hides everything lower layers put in it.</summary>
    Opaque,

    /// <summary>Other <c>.wh..wh.</c> names are AUFS bookkeeping (hard-link directories) with no meaning for the image.</summary>
    Ignored,
}

/// <summary>
/// Recognises whiteout names. Kept apart from the unpacker because the two ways of honouring a
/// whiteout differ only in what they do with it: applying a layer onto a rootfs (the mode
/// implemented) deletes the hidden paths, while an overlayfs upper directory would instead record
/// them as 0/0 character devices and a <c>trusted.overlay.opaque</c> xattr.
/// </summary>
internal static class Whiteouts
{
    public const string Prefix = ".wh.";
    public const string MetaPrefix = ".wh..wh.";
    public const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>Classifies <paramref name="baseName"/>; for <see cref="WhiteoutKind.Remove"/>, <paramref name="hidden"/> is the name it removes.</summary>
    public static WhiteoutKind Classify(string baseName, out string hidden)
    {
        hidden = "";
        if (!baseName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return WhiteoutKind.None;
        }

        if (baseName == OpaqueMarker)
        {
            return WhiteoutKind.Opaque;
        }

        if (baseName.StartsWith(MetaPrefix, StringComparison.Ordinal))
        {
            return WhiteoutKind.Ignored;
        }

        hidden = baseName[Prefix.Length..];
        return WhiteoutKind.Remove;
    }
}
