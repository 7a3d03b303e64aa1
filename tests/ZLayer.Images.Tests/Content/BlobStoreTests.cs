using System.Text;
using ZLayer.Images.Content;

namespace ZLayer.Images.Tests.Content;

public sealed class BlobStoreTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("zlayer-blobs-");

    private BlobStore NewStore() => new(_root.FullName);

    private static byte[] Content(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private string[] Ingests() => Directory.GetFiles(Path.Combine(_root.FullName, "ingest"));

    [Fact]
    public async Task Verified_content_is_stored_once_under_its_digest_and_read_back()
    {
        var store = NewStore();
        var content = Content(300_000);
        var digest = Digest.Sha256(content);

        Assert.Equal(digest, await store.PutAsync(content));
        Assert.True(store.Contains(digest));
        Assert.Equal(content.Length, store.SizeOf(digest));
        Assert.Equal(content, await store.ReadAllBytesAsync(digest));
        Assert.Equal(Path.Combine(_root.FullName, "blobs", "sha256", digest.Encoded), store.PathOf(digest));
        Assert.Empty(Ingests());

        // Stored content is never rewritten: a second put of the same blob writes nothing.
        var before = File.GetLastWriteTimeUtc(store.PathOf(digest));
        await using (var again = await store.BeginAsync(digest, content.Length))
        {
            Assert.True(again.IsComplete);
        }

        Assert.Equal(before, File.GetLastWriteTimeUtc(store.PathOf(digest)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(store.PathOf(digest)));
    }

    [Fact]
    public async Task Content_that_does_not_match_its_digest_is_refused_and_nothing_is_kept()
    {
        var store = NewStore();
        var claimed = Digest.Sha256(Encoding.UTF8.GetBytes("what the manifest promised"));

        var error = await Assert.ThrowsAsync<BlobVerificationException>(() => store.PutAsync(Encoding.UTF8.GetBytes("what the registry sent"), claimed));
        Assert.Contains(claimed.ToString(), error.Message);
        Assert.Contains("the content's digest is sha256:", error.Message);
        Assert.False(store.Contains(claimed));
        Assert.Empty(Ingests());
    }

    [Fact]
    public async Task More_or_fewer_bytes_than_the_descriptor_says_are_refused()
    {
        var store = NewStore();
        var content = Content(1000);
        var digest = Digest.Sha256(content);

        await using (var tooLong = await store.BeginAsync(digest, 999))
        {
            var error = await Assert.ThrowsAsync<BlobVerificationException>(() => tooLong.AppendAsync(new MemoryStream(content)));
            Assert.Contains("more than the 999 bytes", error.Message);
        }

        await using (var tooShort = await store.BeginAsync(digest, 1000))
        {
            await tooShort.AppendAsync(new MemoryStream(content[..600]));
            var error = await Assert.ThrowsAsync<BlobVerificationException>(() => tooShort.CommitAsync());
            Assert.Contains("600 bytes arrived of the 1000", error.Message);
        }

        Assert.False(store.Contains(digest));
    }

    [Fact]
    public async Task An_interrupted_write_is_invisible_and_the_next_attempt_resumes_where_it_stopped()
    {
        var content = Content(200_000, seed: 7);
        var digest = Digest.Sha256(content);

        // The first attempt gets 120 KB and dies (no commit): the blob is not visible.
        var first = NewStore();
        await using (var attempt = await first.BeginAsync(digest, content.Length))
        {
            await attempt.AppendAsync(new MemoryStream(content[..120_000]));
        }

        Assert.False(first.Contains(digest));
        Assert.Single(Ingests());

        // A new store over the same directory (a restarted daemon) resumes from byte 120,000.
        var second = NewStore();
        await using (var resumed = await second.BeginAsync(digest, content.Length))
        {
            Assert.Equal(120_000, resumed.Offset);
            await resumed.AppendAsync(new MemoryStream(content[120_000..]));
            await resumed.CommitAsync();
        }

        Assert.Equal(content, await second.ReadAllBytesAsync(digest));
        Assert.Empty(Ingests());
    }

    [Fact]
    public async Task A_partial_file_that_is_not_a_prefix_of_the_blob_fails_once_then_the_retry_starts_clean()
    {
        var store = NewStore();
        var content = Content(5000, seed: 3);
        var digest = Digest.Sha256(content);
        await using (var wrong = await store.BeginAsync(digest, content.Length))
        {
            await wrong.AppendAsync(new MemoryStream(Content(5000, seed: 4)));
            await Assert.ThrowsAsync<BlobVerificationException>(() => wrong.CommitAsync());
        }

        await using (var retry = await store.BeginAsync(digest, content.Length))
        {
            Assert.Equal(0, retry.Offset);
            await retry.AppendAsync(new MemoryStream(content));
            await retry.CommitAsync();
        }

        Assert.True(store.Contains(digest));
    }

    [Fact]
    public async Task Concurrent_writers_of_one_blob_take_turns_and_the_second_finds_it_stored()
    {
        var store = NewStore();
        var content = Content(100_000, seed: 9);
        var digest = Digest.Sha256(content);

        var first = await store.BeginAsync(digest, content.Length);
        var second = store.BeginAsync(digest, content.Length);
        Assert.False(second.IsCompleted, "a second writer of the same blob must wait for the first");

        await first.AppendAsync(new MemoryStream(content));
        await first.CommitAsync();
        await first.DisposeAsync();

        await using var next = await second;
        Assert.True(next.IsComplete);
    }

    [Fact]
    public async Task Collect_removes_only_what_is_not_kept_and_abandoned_partial_files()
    {
        var store = NewStore();
        var kept = await store.PutAsync(Content(1000, seed: 1));
        var dropped = await store.PutAsync(Content(2000, seed: 2));
        var abandoned = Content(3000, seed: 3);
        await using (var partial = await store.BeginAsync(Digest.Sha256(abandoned), abandoned.Length))
        {
            await partial.AppendAsync(new MemoryStream(abandoned[..1500]));
        }

        var freed = store.Collect(new HashSet<Digest> { kept });

        Assert.Equal(2000 + 1500, freed);
        Assert.True(store.Contains(kept));
        Assert.False(store.Contains(dropped));
        Assert.Equal([kept], store.List());
        Assert.Empty(Ingests());
    }

    [Fact]
    public void Reading_a_blob_that_is_not_stored_names_it()
    {
        var digest = Digest.Sha256([1, 2, 3]);
        var error = Assert.Throws<BlobNotFoundException>(() => NewStore().OpenRead(digest));
        Assert.Equal($"blob {digest} is not in the store", error.Message);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
