namespace ZLayer.Images.Layers;

/// <summary>How a layer blob's tar stream is compressed.</summary>
public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}
