using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace ZLayer.Images.Content;

/// <summary>
/// One blob being written: content is appended to a partial file while it is hashed, and
/// <see cref="CommitAsync"/> publishes it only if the digest and size match. Disposing without a
/// commit keeps the partial file (a later attempt resumes it) unless its content already proved
/// wrong, in which case it is deleted so the next attempt starts clean.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BlobIngest : IAsyncDisposable
{
    private readonly BlobStore _store;
    private readonly string _partial;
    private readonly SemaphoreSlim _writer;
    private readonly IncrementalHash _hash;
    private FileStream? _file;

    private BlobIngest(BlobStore store, Digest digest, long? size, string partial, SemaphoreSlim writer, IncrementalHash hash)
    {
        _store = store;
        Digest = digest;
        ExpectedSize = size;
        _partial = partial;
        _writer = writer;
        _hash = hash;
    }

    public Digest Digest { get; }

    public long? ExpectedSize { get; }

    /// <summary>Bytes already written (by this or an interrupted earlier attempt): where to resume.</summary>
    public long Offset { get; private set; }

    /// <summary>True when the blob was already stored: nothing to write.</summary>
    public bool IsComplete { get; private set; }

    internal static async Task<BlobIngest> OpenAsync(BlobStore store, Digest digest, long? size, string partial, SemaphoreSlim writer, CancellationToken ct)
    {
        var ingest = new BlobIngest(store, digest, size, partial, writer, digest.CreateHash());
        if (store.SizeOf(digest) is { } stored && (size is null || stored == size))
        {
            ingest.IsComplete = true;
            return ingest;
        }

        ingest._file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        if (size is { } expected && ingest._file.Length > expected)
        {
            // More than the blob can hold: not a prefix of it.
            ingest._file.SetLength(0);
        }

        // Resume: what an earlier attempt left is hashed again, as the digest covers it too.
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await ingest._file.ReadAsync(buffer, ct)) > 0)
        {
            ingest._hash.AppendData(buffer, 0, n);
            ingest.Offset += n;
        }

        return ingest;
    }

    /// <summary>Appends what <paramref name="source"/> yields; refuses to grow past the expected size.</summary>
    public async Task AppendAsync(Stream source, CancellationToken ct = default)
    {
        var file = _file ?? throw new InvalidOperationException("the blob is already stored or committed");
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await source.ReadAsync(buffer, ct)) > 0)
        {
            if (ExpectedSize is { } expected && Offset + n > expected)
            {
                Discard();
                throw new BlobVerificationException(Digest, $"more than the {expected} bytes its descriptor gives");
            }

            await file.WriteAsync(buffer.AsMemory(0, n), ct);
            _hash.AppendData(buffer, 0, n);
            Offset += n;
        }
    }

    /// <summary>Verifies size and digest, makes the content durable and publishes it.</summary>
    public async Task CommitAsync(CancellationToken ct = default)
    {
        if (IsComplete)
        {
            return;
        }

        var file = _file ?? throw new InvalidOperationException("the blob is already committed");
        if (ExpectedSize is { } expected && Offset != expected)
        {
            throw new BlobVerificationException(Digest, $"{Offset} bytes arrived of the {expected} its descriptor gives");
        }

        var actual = Digest.FromHash(Digest.Algorithm, _hash.GetHashAndReset());
        if (actual != Digest)
        {
            Discard();
            throw new BlobVerificationException(Digest, $"the content's digest is {actual}");
        }

        await file.FlushAsync(ct);
        file.Flush(flushToDisk: true);
        await file.DisposeAsync();
        _file = null;
        _store.Publish(_partial, Digest);
        IsComplete = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
            _file = null;
        }

        _hash.Dispose();
        _writer.Release();
    }

    /// <summary>The partial content is wrong, not just short: drop it so no attempt resumes it.</summary>
    private void Discard()
    {
        _file?.Dispose();
        _file = null;
        File.Delete(_partial);
    }
}
