namespace ZLayer.Images.Layers;

/// <summary>
/// Bounds on what one layer may unpack, so a hostile or broken image cannot fill the disk or the
/// inode table (a small gzip can expand to terabytes).
/// </summary>
/// <param name="MaxBytes">Total size of regular file content the layer may write.</param>
/// <param name="MaxEntries">Number of archive entries, whiteouts and directories included.</param>
public sealed record LayerLimits(long MaxBytes, long MaxEntries)
{
    public const long DefaultMaxBytes = 10L * 1024 * 1024 * 1024;

    public const long DefaultMaxEntries = 1_000_000;

    // Tar headers, PAX records and padding are not file content, but they still cost time to hash;
    // a generous per-entry allowance bounds a stream of zero blocks after the end marker.
    private const long MetadataAllowancePerEntry = 64 * 1024;

    public static LayerLimits Default { get; } = new(DefaultMaxBytes, DefaultMaxEntries);

    /// <summary>The most uncompressed tar bytes a layer within these limits can need.</summary>
    internal long MaxArchiveBytes =>
        SaturatingAdd(MaxBytes, SaturatingMultiply(MaxEntries + 2, MetadataAllowancePerEntry));

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long SaturatingMultiply(long a, long b) => a > long.MaxValue / b ? long.MaxValue : a * b;
}
