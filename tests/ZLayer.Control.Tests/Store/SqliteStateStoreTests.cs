using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using ZLayer.Control.Store;
using ZLayer.Control.Store.Sqlite;

namespace ZLayer.Control.Tests.Store;

/// <summary>The contract on the embedded store, plus what only a file on this machine can show.</summary>
public sealed class SqliteStateStoreTests : StateStoreContract
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("zlayer-store-");

    private string StorePath => Path.Combine(_directory.FullName, "state.db");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing the test over it would not be.
        }
    }

    protected override async Task<IStateStore> CreateStoreAsync(FakeClock clock) => await SqliteStateStore.OpenAsync(StorePath, clock);

    protected override Task CompactAsync(IStateStore store, long revision) => ((SqliteStateStore)store).CompactAsync(revision);

    [Fact]
    public async Task ANewStoreStartsAtRevisionZeroInWalMode()
    {
        Assert.Equal(0, await Store.CurrentRevisionAsync());
        Assert.Equal(1, await Store.PutAsync("k", Bytes("v")));

        using var reader = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        reader.Open();
        using var command = reader.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task ASecondOpenIsRefusedAndNamesTheHolder()
    {
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => SqliteStateStore.OpenAsync(StorePath, Clock));

        Assert.Contains($"the store at {StorePath} is already open by another process (pid {Environment.ProcessId} ", error.Message);
        Assert.Contains(StorePath + ".lock", error.Message);

        // The refused open changed nothing, and the lock goes with the holder.
        await Store.PutAsync("still/writable", Bytes("yes"));
        await Store.DisposeAsync();
        await using var next = await SqliteStateStore.OpenAsync(StorePath, Clock);
        Assert.NotNull(await next.GetAsync("still/writable"));
    }

    [Fact]
    public async Task AFileThatIsNotAStoreIsReportedAndNotLocked()
    {
        var path = Path.Combine(_directory.FullName, "notes.txt");
        await File.WriteAllTextAsync(path, new string('x', 8192));

        for (var attempt = 0; attempt < 2; attempt++)
        {
            // The same answer twice: the failed open released its lock file.
            var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => SqliteStateStore.OpenAsync(path, Clock));
            Assert.Equal($"the store at {path} cannot be used: the file is not a SQLite database", error.Message);
        }
    }

    [Fact]
    public async Task HistoryOlderThanTheBoundIsCompacted()
    {
        var path = Path.Combine(_directory.FullName, "bounded.db");
        await using var store = await SqliteStateStore.OpenAsync(path, Clock, new SqliteStoreOptions { HistoryRevisions = 5 });
        for (var i = 1; i <= 10; i++)
        {
            await store.PutAsync($"b/{i}", Bytes($"{i}"));
        }

        var error = await Assert.ThrowsAsync<StoreCompactedException>(() => DrainAsync(store.WatchAsync("b/", 5)));
        Assert.Equal((5L, 5L), (error.Requested, error.CompactedRevision));

        await using var kept = new WatchRecorder(store, "b/", 6);
        Assert.Equal([6L, 7, 8, 9, 10], (await kept.TakeAsync(5)).Select(e => e.Revision));
    }

    [Fact]
    public async Task AWatchThatFallsBehindTheBoundFailsInsteadOfSkipping()
    {
        var path = Path.Combine(_directory.FullName, "bounded.db");
        await using var store = await SqliteStateStore.OpenAsync(path, Clock, new SqliteStoreOptions { HistoryRevisions = 5 });
        for (var i = 1; i <= 3; i++)
        {
            await store.PutAsync($"b/{i}", Bytes($"{i}"));
        }

        using var deadline = new CancellationTokenSource(Deadline);
        await using var watch = store.WatchAsync("b/", 1, deadline.Token).GetAsyncEnumerator(deadline.Token);
        for (var expected = 1; expected <= 3; expected++)
        {
            Assert.True(await watch.MoveNextAsync());
            Assert.Equal(expected, watch.Current.Revision);
        }

        // While the consumer is busy, the store moves on past its history bound.
        for (var i = 4; i <= 13; i++)
        {
            await store.PutAsync($"b/{i}", Bytes($"{i}"));
        }

        var error = await Assert.ThrowsAsync<StoreCompactedException>(async () => await watch.MoveNextAsync());
        Assert.Equal((4L, 8L), (error.Requested, error.CompactedRevision));
    }

    [Fact]
    public async Task LeasesThatRanOutWhileClosedEndAsTheStoreOpens()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(10));
        await Store.PutAsync("l/leased", Bytes("l"), lease);
        var before = await Store.CurrentRevisionAsync();
        await Store.DisposeAsync();

        Clock.Advance(TimeSpan.FromMinutes(5));
        await ReopenAsync();

        // Gone as soon as the store is open, without waiting for a sweep tick.
        Assert.Null(await Store.GetAsync("l/leased"));
        Assert.Equal(before + 1, await Store.CurrentRevisionAsync());
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.KeepAliveAsync(lease));
    }

    [Fact]
    public async Task EachExpiredLeaseEndsInARevisionOfItsOwn()
    {
        var first = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(10));
        var second = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(10));
        await Store.PutAsync("l/first", Bytes("1"), first);
        await Store.PutAsync("l/second", Bytes("2"), second);
        var before = await Store.CurrentRevisionAsync();
        await using var watch = new WatchRecorder(Store, "l/", before + 1);

        Clock.Advance(TimeSpan.FromSeconds(11));

        var deletes = await watch.TakeAsync(2);
        AssertEvent(deletes[0], WatchEventType.Delete, "l/first", before + 1);
        AssertEvent(deletes[1], WatchEventType.Delete, "l/second", before + 2);
    }

    [Fact]
    public async Task MalformedRequestsAreRefusedBeforeTouchingTheStore()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync("", Bytes("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync("lone\uD800", Bytes("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.TxnAsync([], [new TxnOp.Put("t/a", Bytes("1")), new TxnOp.Delete("t/a")]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GrantLeaseAsync(TimeSpan.Zero));

        Assert.Equal(0, await Store.CurrentRevisionAsync());
    }

    [Fact]
    public async Task ClosingTheStoreEndsItsWatches()
    {
        var current = await Store.CurrentRevisionAsync();
        var watch = Store.WatchAsync("w/", current + 1).GetAsyncEnumerator();
        var pending = watch.MoveNextAsync().AsTask();

        await Store.DisposeAsync();

        Assert.False(await pending.WaitAsync(Deadline));
        await watch.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Store.GetAsync("w/x"));
    }

    [Fact]
    public async Task CommittedWritesSurviveKillDashNine()
    {
        // The child process owns the file from here on.
        await Store.DisposeAsync();

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ZLayer.StoreCrashProbe.dll"));
        start.ArgumentList.Add(StorePath);

        var reported = new List<(long Revision, int N)>();
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            while (reported.Count < 50)
            {
                var line = await child.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException($"the probe ended early: {await stderr}");
                if (ParseCommitted(line) is { } commit)
                {
                    reported.Add(commit);
                }
            }
        }
        finally
        {
            // Process.Kill sends SIGKILL on Linux: no handler, no flush, no dispose runs in the child.
            child.Kill();
            await child.WaitForExitAsync();
        }

        // Lines the child wrote before it died were written after their commit: they count too. A last
        // line cut by the kill is not whole, so it is left out.
        var rest = await child.StandardOutput.ReadToEndAsync();
        var wholeLines = rest.Split('\n');
        reported.AddRange(wholeLines.Take(wholeLines.Length - 1).Select(ParseCommitted).OfType<(long, int)>());
        Assert.Equal(128 + 9, child.ExitCode);

        // No clean close ran: a closing store would have checkpointed and removed its write-ahead log.
        Assert.True(File.Exists(StorePath + "-wal"), "the killed probe left no WAL behind");

        await ReopenAsync();

        foreach (var (revision, n) in reported)
        {
            var name = n.ToString("D6", CultureInfo.InvariantCulture);
            var a = await Store.GetAsync($"crash/{name}/a");
            var b = await Store.GetAsync($"crash/{name}/b");
            Assert.True(a is not null && b is not null, $"revision {revision} (transaction {n}) was reported committed but is missing");
            Assert.Equal((revision, revision), (a.ModRevision, b.ModRevision));
            Assert.Equal(4096 + (n % 7 * 1024), a.Value.Length);
            Assert.All(a.Value, x => Assert.Equal((byte)(n % 251), x));
            Assert.Equal(8192, b.Value.Length);
        }

        // Whatever was in flight at the kill is wholly there or wholly absent: each transaction is both keys.
        var keys = (await Store.RangeAsync("crash/")).Items;
        var transactions = keys.GroupBy(k => k.Key[..^2]).ToList();
        Assert.All(transactions, t => Assert.Equal(2, t.Count()));
        Assert.All(transactions, t => Assert.Single(t.Select(k => k.ModRevision).Distinct()));
        var current = await Store.CurrentRevisionAsync();
        Assert.Equal(transactions.Count, current);
        Assert.True(current >= reported.Max(r => r.Revision));

        Assert.Equal(current + 1, await Store.PutAsync("after/crash", Bytes("ok")));
    }

    [RootFact]
    public async Task ADiskFullWriteFailsCleanlyAndLosesNothing()
    {
        var mount = Directory.CreateTempSubdirectory("zlayer-full-").FullName;
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount);
        try
        {
            var path = Path.Combine(mount, "state.db");
            var big = new byte[256 * 1024];
            long before;
            await using (var store = await SqliteStateStore.OpenAsync(path, Clock))
            {
                for (var i = 1; i <= 5; i++)
                {
                    await store.PutAsync($"keep/{i}", Bytes($"value {i}"));
                }

                before = await store.CurrentRevisionAsync();
                var filler = Path.Combine(mount, "filler");
                FillDisk(filler);

                var put = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.PutAsync("big", big));
                Assert.Equal($"the store at {path} cannot be written: disk full", put.Message);
                await Assert.ThrowsAsync<StoreUnavailableException>(() => store.TxnAsync(
                    [],
                    [new TxnOp.Put("half/small", Bytes("s")), new TxnOp.Put("half/big", big), new TxnOp.Delete("keep/1")]));

                // Reads still work, and show no trace of either failed write.
                Assert.Equal(before, await store.CurrentRevisionAsync());
                Assert.Equal(["keep/1", "keep/2", "keep/3", "keep/4", "keep/5"], (await store.RangeAsync("")).Items.Select(k => k.Key));

                File.Delete(filler);
                Assert.Equal(before + 1, await store.PutAsync("after", Bytes("space again")));
                await using var watch = new WatchRecorder(store, "", before);
                AssertEvent(await watch.NextAsync(), WatchEventType.Put, "keep/5", before, "value 5");
                AssertEvent(await watch.NextAsync(), WatchEventType.Put, "after", before + 1, "space again");
            }

            await using var reopened = await SqliteStateStore.OpenAsync(path, Clock);
            Assert.Equal(before + 1, await reopened.CurrentRevisionAsync());
            Assert.Equal(6, (await reopened.RangeAsync("")).Items.Count);
        }
        finally
        {
            await RunAsync("umount", "--lazy", mount);
            Directory.Delete(mount, recursive: true);
        }
    }

    private static async Task DrainAsync(IAsyncEnumerable<WatchEvent> watch)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        await foreach (var unused in watch.WithCancellation(deadline.Token))
        {
            // Only the error matters here.
        }
    }

    private static (long Revision, int N)? ParseCommitted(string line)
    {
        var parts = line.Split(' ');
        return parts is ["committed", var revision, var n]
            ? (long.Parse(revision, CultureInfo.InvariantCulture), int.Parse(n, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>The dotnet host running these tests, so the probe runs on the same runtime.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }

    /// <summary>Writes until the file system refuses: ENOSPC, not a guess at the free space.</summary>
    private static void FillDisk(string path)
    {
        var chunk = new byte[4096];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        }
    }
}
