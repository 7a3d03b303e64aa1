namespace ZLayer.TestImages.Images;

/// <summary>
/// Incompressible content that is the same for the same seed, so benchmark layers are as large
/// compressed as not and their digests are stable from run to run.
/// </summary>
public static class SeededBytes
{
    public static byte[] Create(long length, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var bytes = new byte[length];
        // A seeded Random uses the legacy algorithm, whose sequence is fixed for a given seed.
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
