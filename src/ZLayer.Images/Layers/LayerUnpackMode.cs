namespace ZLayer.Images.Layers;

/// <summary>How a layer's whiteouts are honoured.</summary>
public enum LayerUnpackMode
{
    /// <summary>The layer is applied onto a rootfs holding the lower layers: whiteouts delete what they hide.</summary>
    ApplyToRootfs,

    /// <summary>
    /// The layer gets its own directory, to be an overlayfs lower directory: a whiteout becomes a
    /// 0/0 character device and an opaque directory gets the overlay "opaque" xattr, as overlayfs
    /// itself records them, so the merged view hides what lower layers had.
    /// </summary>
    OverlayLower,
}
