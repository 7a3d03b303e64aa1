namespace ZLayer.TestImages.Images;

/// <summary>How a layer's tar is stored as a blob.</summary>
public enum LayerCompression
{
    Gzip,
    None,
}
