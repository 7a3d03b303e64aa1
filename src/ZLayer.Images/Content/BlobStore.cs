using System.Collections.Concurrent;
using System.Runtime.Versioning;

namespace ZLayer.Images.Content;

/// <summary>
/// Content-addressed blobs (manifests, configs, layers) under <c>root/blobs/ALGORITHM/ENCODED</c>,
/// shared by every image that names them. Content arrives in <c>root/ingest/</c> and becomes visible
/// only once its digest and size are verified, fsynced and renamed into place: a pull killed half-way
/// leaves at most a partial ingest file, which the next pull of the same blob resumes from.
/// One daemon per data directory; within it, one writer per blob at a time.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BlobStore
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writers = new(StringComparer.Ordinal);

    public BlobStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(BlobsDirectory, DirectoryMode);
        Directory.CreateDirectory(IngestDirectory, DirectoryMode);
    }

    public string Root { get; }

    private string BlobsDirectory => Path.Combine(Root, "blobs");

    private string IngestDirectory => Path.Combine(Root, "ingest");

    /// <summary>Where a verified blob lives (whether or not it is there).</summary>
    public string PathOf(Digest digest) => Path.Combine(BlobsDirectory, digest.Algorithm, digest.Encoded);

    public bool Contains(Digest digest) => File.Exists(PathOf(digest));

    /// <summary>The size of a stored blob, or null when it is not stored.</summary>
    public long? SizeOf(Digest digest)
    {
        var info = new FileInfo(PathOf(digest));
        return info.Exists ? info.Length : null;
    }

    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
        catch (DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
    }

    public async Task<byte[]> ReadAllBytesAsync(Digest digest, CancellationToken ct = default)
    {
        await using var stream = OpenRead(digest);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, ct);
        return copy.ToArray();
    }

    /// <summary>Stores small content held in memory (a manifest, a config) after checking it against <paramref name="expected"/>.</summary>
    public async Task<Digest> PutAsync(ReadOnlyMemory<byte> content, Digest? expected = null, CancellationToken ct = default)
    {
        var digest = expected ?? Digest.Sha256(content.Span);
        await using var ingest = await BeginAsync(digest, content.Length, ct);
        if (ingest.IsComplete)
        {
            return digest;
        }

        await ingest.AppendAsync(new MemoryStream(content.ToArray(), writable: false), ct);
        await ingest.CommitAsync(ct);
        return digest;
    }

    /// <summary>
    /// Starts (or resumes) writing a blob. The ingest holds the blob's writer lock until disposed;
    /// <see cref="BlobIngest.Offset"/> says how much a previous, interrupted attempt left, already
    /// re-hashed, so a download can resume with a Range request from there.
    /// </summary>
    /// <param name="size">The size the blob must have, when known (descriptors give it).</param>
    public async Task<BlobIngest> BeginAsync(Digest digest, long? size, CancellationToken ct = default)
    {
        if (size is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a blob size cannot be negative");
        }

        var writer = _writers.GetOrAdd(digest.ToString(), _ => new SemaphoreSlim(1, 1));
        await writer.WaitAsync(ct);
        try
        {
            var partial = Path.Combine(IngestDirectory, $"{digest.Algorithm}-{digest.Encoded}.partial");
            return await BlobIngest.OpenAsync(this, digest, size, partial, writer, ct);
        }
        catch
        {
            writer.Release();
            throw;
        }
    }

    /// <summary>Every stored blob.</summary>
    public IEnumerable<Digest> List()
    {
        foreach (var algorithmDirectory in Directory.EnumerateDirectories(BlobsDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(algorithmDirectory))
            {
                if (Digest.TryParse($"{Path.GetFileName(algorithmDirectory)}:{Path.GetFileName(file)}", out var digest, out _))
                {
                    yield return digest;
                }
            }
        }
    }

    public bool Delete(Digest digest)
    {
        var path = PathOf(digest);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>
    /// Removes every blob not in <paramref name="keep"/> and every partial ingest no writer holds;
    /// returns the bytes freed. The caller computes <paramref name="keep"/> from every image and
    /// replica, so only what nothing references goes.
    /// </summary>
    public long Collect(IReadOnlySet<Digest> keep)
    {
        long freed = 0;
        foreach (var digest in List().ToList())
        {
            if (keep.Contains(digest))
            {
                continue;
            }

            var writer = _writers.GetOrAdd(digest.ToString(), _ => new SemaphoreSlim(1, 1));
            if (!writer.Wait(0))
            {
                continue; // being written right now: it belongs to a pull in progress
            }

            try
            {
                var size = SizeOf(digest) ?? 0;
                if (Delete(digest))
                {
                    freed += size;
                }
            }
            finally
            {
                writer.Release();
            }
        }

        foreach (var partial in Directory.EnumerateFiles(IngestDirectory, "*.partial").ToList())
        {
            var name = Path.GetFileNameWithoutExtension(partial);
            var dash = name.IndexOf('-');
            var key = dash > 0 ? $"{name[..dash]}:{name[(dash + 1)..]}" : name;
            var writer = _writers.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
            if (writer.Wait(0))
            {
                try
                {
                    freed += new FileInfo(partial).Length;
                    File.Delete(partial);
                }
                finally
                {
                    writer.Release();
                }
            }
        }

        return freed;
    }

    /// <summary>Moves verified content into place and makes the rename durable.</summary>
    internal void Publish(string partial, Digest digest)
    {
        var target = PathOf(digest);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory, DirectoryMode);
        File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(partial, target, overwrite: true);
        FileSync.Directory(directory);
        FileSync.Directory(IngestDirectory);
    }
}
