using ZLayer.Images.Content;

namespace ZLayer.Images.Layers;

/// <summary>What a successful unpack wrote.</summary>
/// <param name="DiffId">The verified digest of the uncompressed tar stream.</param>
/// <param name="ArchiveBytes">Length of the uncompressed tar stream, padding included.</param>
/// <param name="FileBytes">Regular file content written.</param>
/// <param name="EntryCount">Archive entries processed, whiteouts included.</param>
/// <param name="OwnershipApplied">
/// Whether entries got the archive's uid/gid. Only a privileged process can chown; otherwise
/// everything belongs to the unpacking user and the archive's owners are dropped.
/// </param>
/// <param name="Notes">Entries that were deliberately not reproduced (e.g. devices without privilege), one line each.</param>
public sealed record LayerUnpackResult(
    Digest DiffId,
    long ArchiveBytes,
    long FileBytes,
    long EntryCount,
    bool OwnershipApplied,
    IReadOnlyList<string> Notes);
