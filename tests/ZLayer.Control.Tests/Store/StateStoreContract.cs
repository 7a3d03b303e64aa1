using System.Text;
using ZLayer.Control.Store;

namespace ZLayer.Control.Tests.Store;

/// <summary>
/// The behaviour every <see cref="IStateStore"/> must have, written once: each implementation's test class
/// derives from this one and says how to open its store. Revisions are asserted relative to the revision
/// a test starts at, so a store shared with other data (an etcd cluster) passes too.
/// </summary>
public abstract class StateStoreContract : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = WatchRecorder.Deadline;

    protected FakeClock Clock { get; } = new();

    /// <summary>The store under test; replaced by <see cref="ReopenAsync"/>.</summary>
    protected IStateStore Store { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Store = await CreateStoreAsync(Clock);

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    /// <summary>
    /// Opens the store over this test's data, with <paramref name="clock"/> as its time. Called again after
    /// the previous instance was disposed, it must reach the same data: that is a daemon restart.
    /// </summary>
    protected abstract Task<IStateStore> CreateStoreAsync(FakeClock clock);

    /// <summary>Compacts the history at <paramref name="revision"/>, as etcd's compaction does: watches from an older revision must fail.</summary>
    protected abstract Task CompactAsync(IStateStore store, long revision);

    /// <summary>Lets time pass for the store's leases; a store on the fake clock just moves it.</summary>
    protected virtual Task PassTimeAsync(TimeSpan time)
    {
        Clock.Advance(time);
        return Task.CompletedTask;
    }

    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await CreateStoreAsync(Clock);
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    protected static void AssertKey(KeyValue? actual, string key, string value, long createRevision, long modRevision, long version, long lease = 0)
    {
        Assert.NotNull(actual);
        Assert.Equal(
            (key, value, createRevision, modRevision, version, lease),
            (actual.Key, Text(actual.Value), actual.CreateRevision, actual.ModRevision, actual.Version, actual.Lease));
    }

    protected static void AssertEvent(WatchEvent actual, WatchEventType type, string key, long revision, string value = "")
    {
        Assert.Equal((type, key, revision, value), (actual.Type, actual.Kv.Key, actual.Revision, Text(actual.Kv.Value)));
        Assert.Equal(revision, actual.Kv.ModRevision);
    }

    // ---- revisions, get, put ----

    [Fact]
    public async Task EveryWriteMakesExactlyOneRevision()
    {
        var r0 = await Store.CurrentRevisionAsync();

        Assert.Equal(r0 + 1, await Store.PutAsync("k/a", Bytes("1")));
        Assert.Equal(r0 + 2, await Store.PutAsync("k/b", Bytes("2")));
        Assert.Equal(r0 + 3, await Store.DeleteAsync("k/a"));
        var txn = await Store.TxnAsync([], [new TxnOp.Put("k/c", Bytes("3")), new TxnOp.Put("k/d", Bytes("4")), new TxnOp.Delete("k/b")]);
        Assert.Equal(new TxnResult(true, r0 + 4), txn);
        Assert.Equal(2, await Store.DeletePrefixAsync("k/"));

        Assert.Equal(r0 + 5, await Store.CurrentRevisionAsync());
    }

    [Fact]
    public async Task PutCountsVersionsAndKeepsTheCreateRevision()
    {
        var created = await Store.PutAsync("v/key", Bytes("one"));
        AssertKey(await Store.GetAsync("v/key"), "v/key", "one", created, created, 1);

        await Store.PutAsync("v/other", Bytes("x"));
        var second = await Store.PutAsync("v/key", Bytes("two"));
        var third = await Store.PutAsync("v/key", Bytes("three"));

        Assert.Equal(created + 2, second);
        Assert.Equal(created + 3, third);
        AssertKey(await Store.GetAsync("v/key"), "v/key", "three", created, third, 3);
    }

    [Fact]
    public async Task GetOfAMissingKeyIsNullAndAnEmptyValueIsKept()
    {
        Assert.Null(await Store.GetAsync("missing/key"));

        var revision = await Store.PutAsync("empty/value", ReadOnlyMemory<byte>.Empty);
        AssertKey(await Store.GetAsync("empty/value"), "empty/value", "", revision, revision, 1);
    }

    [Fact]
    public async Task RangeReturnsExactlyThePrefixInKeyOrder()
    {
        foreach (var key in new[] { "r/a/2", "r/a", "r/ab", "r/a/1/x", "r/a0", "r/a/", "r/a.", "r/b", "r/a/1" })
        {
            await Store.PutAsync(key, Bytes(key));
        }

        var current = await Store.CurrentRevisionAsync();

        var slash = await Store.RangeAsync("r/a/");
        Assert.Equal(["r/a/", "r/a/1", "r/a/1/x", "r/a/2"], slash.Items.Select(i => i.Key));
        Assert.Equal(current, slash.Revision);
        Assert.All(slash.Items, i => Assert.Equal(i.Key, Text(i.Value)));

        var bare = await Store.RangeAsync("r/a");
        Assert.Equal(["r/a", "r/a.", "r/a/", "r/a/1", "r/a/1/x", "r/a/2", "r/a0", "r/ab"], bare.Items.Select(i => i.Key));

        var everything = await Store.RangeAsync("r/");
        Assert.Equal(9, everything.Items.Count);
        Assert.Equal(everything.Items.Select(i => i.Key).Order(StringComparer.Ordinal), everything.Items.Select(i => i.Key));

        var none = await Store.RangeAsync("r/c");
        Assert.Empty(none.Items);
        Assert.Equal(current, none.Revision);
    }

    [Fact]
    public async Task RangeBoundsPrefixesOfMultiByteCharactersByBytes()
    {
        foreach (var key in new[] { "u/é", "u/éa", "u/ê", "u/e", "u/z", "u/日本", "u/日", "u/😀" })
        {
            await Store.PutAsync(key, Bytes(key));
        }

        Assert.Equal(["u/é", "u/éa"], (await Store.RangeAsync("u/é")).Items.Select(i => i.Key));
        Assert.Equal(["u/日", "u/日本"], (await Store.RangeAsync("u/日")).Items.Select(i => i.Key));
        Assert.Equal(["u/😀"], (await Store.RangeAsync("u/😀")).Items.Select(i => i.Key));

        // UTF-8 byte order: ASCII, then two-byte, three-byte and four-byte characters.
        Assert.Equal(["u/e", "u/z", "u/é", "u/éa", "u/ê", "u/日", "u/日本", "u/😀"], (await Store.RangeAsync("u/")).Items.Select(i => i.Key));
    }

    // ---- delete ----

    [Fact]
    public async Task DeleteRemovesAKeyAndDeletingAMissingKeyChangesNothing()
    {
        var created = await Store.PutAsync("d/key", Bytes("v"));
        await Store.PutAsync("d/key", Bytes("v2"));

        var deleted = await Store.DeleteAsync("d/key");
        Assert.Equal(created + 2, deleted);
        Assert.Null(await Store.GetAsync("d/key"));

        Assert.Equal(deleted, await Store.DeleteAsync("d/key"));
        Assert.Equal(deleted, await Store.CurrentRevisionAsync());

        // A key created again starts over: new create revision, version 1.
        var recreated = await Store.PutAsync("d/key", Bytes("v3"));
        AssertKey(await Store.GetAsync("d/key"), "d/key", "v3", recreated, recreated, 1);
    }

    [Fact]
    public async Task DeletePrefixDeletesOnlyThePrefixInOneRevision()
    {
        foreach (var key in new[] { "p/1", "p/2", "p/3/x", "p0", "pa", "p" })
        {
            await Store.PutAsync(key, Bytes(key));
        }

        var before = await Store.CurrentRevisionAsync();
        Assert.Equal(3, await Store.DeletePrefixAsync("p/"));
        Assert.Equal(before + 1, await Store.CurrentRevisionAsync());
        Assert.Equal(["p", "p0", "pa"], (await Store.RangeAsync("p")).Items.Select(i => i.Key));

        Assert.Equal(0, await Store.DeletePrefixAsync("p/"));
        Assert.Equal(before + 1, await Store.CurrentRevisionAsync());
    }

    // ---- transactions ----

    [Fact]
    public async Task TxnAppliesTheSuccessBranchWhenTheModRevisionMatches()
    {
        var revision = await Store.PutAsync("t/key", Bytes("v1"));

        var result = await Store.TxnAsync(
            [new TxnCompare("t/key", revision)],
            [new TxnOp.Put("t/key", Bytes("v2")), new TxnOp.Put("t/other", Bytes("o"))],
            [new TxnOp.Put("t/failed", Bytes("f"))]);

        Assert.Equal(new TxnResult(true, revision + 1), result);
        AssertKey(await Store.GetAsync("t/key"), "t/key", "v2", revision, revision + 1, 2);
        AssertKey(await Store.GetAsync("t/other"), "t/other", "o", revision + 1, revision + 1, 1);
        Assert.Null(await Store.GetAsync("t/failed"));
    }

    [Fact]
    public async Task TxnAppliesTheFailureBranchWhenTheModRevisionDiffers()
    {
        var first = await Store.PutAsync("t/key", Bytes("v1"));
        var second = await Store.PutAsync("t/key", Bytes("v2"));

        var result = await Store.TxnAsync(
            [new TxnCompare("t/key", first)],
            [new TxnOp.Put("t/key", Bytes("stale write"))],
            [new TxnOp.Put("t/conflict", Bytes("seen"))]);

        Assert.Equal(new TxnResult(false, second + 1), result);
        AssertKey(await Store.GetAsync("t/key"), "t/key", "v2", first, second, 2);
        AssertKey(await Store.GetAsync("t/conflict"), "t/conflict", "seen", second + 1, second + 1, 1);
    }

    [Fact]
    public async Task TxnWithModRevisionZeroCreatesOnlyIfAbsent()
    {
        var first = await Store.TxnAsync([new TxnCompare("t/leader", 0)], [new TxnOp.Put("t/leader", Bytes("node-1"))]);
        var second = await Store.TxnAsync([new TxnCompare("t/leader", 0)], [new TxnOp.Put("t/leader", Bytes("node-2"))]);

        Assert.True(first.Succeeded);
        Assert.False(second.Succeeded);

        // Nothing was written by the losing transaction: no new revision.
        Assert.Equal(first.Revision, second.Revision);
        Assert.Equal(first.Revision, await Store.CurrentRevisionAsync());
        AssertKey(await Store.GetAsync("t/leader"), "t/leader", "node-1", first.Revision, first.Revision, 1);
    }

    [Fact]
    public async Task TxnChecksEveryCompare()
    {
        var a = await Store.PutAsync("t/a", Bytes("a"));
        await Store.PutAsync("t/b", Bytes("b"));

        var result = await Store.TxnAsync(
            [new TxnCompare("t/a", a), new TxnCompare("t/b", a)],
            [new TxnOp.Delete("t/a")]);

        Assert.False(result.Succeeded);
        Assert.NotNull(await Store.GetAsync("t/a"));
    }

    [Fact]
    public async Task TxnThatWritesNothingMakesNoRevision()
    {
        var before = await Store.PutAsync("t/x", Bytes("x"));

        var deleteMissing = await Store.TxnAsync([], [new TxnOp.Delete("t/missing")]);

        Assert.Equal(new TxnResult(true, before), deleteMissing);
        Assert.Equal(before, await Store.CurrentRevisionAsync());
    }

    [Fact]
    public async Task TxnIsAllOrNothing()
    {
        var before = await Store.PutAsync("t/existing", Bytes("kept"));

        // The last operation fails (no such lease) after the others ran: none of them may remain.
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.TxnAsync(
            [],
            [new TxnOp.Put("t/new", Bytes("n")), new TxnOp.Delete("t/existing"), new TxnOp.Put("t/leased", Bytes("l"), Lease: 987_654_321)]));

        Assert.Equal(before, await Store.CurrentRevisionAsync());
        Assert.Null(await Store.GetAsync("t/new"));
        AssertKey(await Store.GetAsync("t/existing"), "t/existing", "kept", before, before, 1);

        // The history has no trace of it either: the next revision is the next write.
        await using var watch = new WatchRecorder(Store, "t/", before + 1);
        await Store.PutAsync("t/after", Bytes("a"));
        AssertEvent(await watch.NextAsync(), WatchEventType.Put, "t/after", before + 1, "a");
    }

    // ---- watches ----

    [Fact]
    public async Task WatchReplaysHistoryThenStreamsLiveChanges()
    {
        var r0 = await Store.CurrentRevisionAsync();
        await Store.PutAsync("w/a", Bytes("1"));
        await Store.PutAsync("w/b", Bytes("2"));
        await Store.DeleteAsync("w/a");
        await Store.PutAsync("x/elsewhere", Bytes("no"));
        await Store.PutAsync("w/b", Bytes("3"));

        await using var watch = new WatchRecorder(Store, "w/", r0 + 1);
        var replayed = await watch.TakeAsync(4);
        AssertEvent(replayed[0], WatchEventType.Put, "w/a", r0 + 1, "1");
        AssertEvent(replayed[1], WatchEventType.Put, "w/b", r0 + 2, "2");
        AssertEvent(replayed[2], WatchEventType.Delete, "w/a", r0 + 3);
        AssertEvent(replayed[3], WatchEventType.Put, "w/b", r0 + 5, "3");
        Assert.Equal((r0 + 2, 2L), (replayed[3].Kv.CreateRevision, replayed[3].Kv.Version));

        var live = await Store.PutAsync("w/c", Bytes("4"));
        AssertEvent(await watch.NextAsync(), WatchEventType.Put, "w/c", live, "4");
    }

    [Fact]
    public async Task WatchFromTheNextRevisionSeesOnlyNewChanges()
    {
        await Store.PutAsync("w/old", Bytes("old"));
        var current = await Store.CurrentRevisionAsync();

        await using var watch = new WatchRecorder(Store, "w/", current + 1);
        await Store.PutAsync("w/new", Bytes("new"));

        AssertEvent(await watch.NextAsync(), WatchEventType.Put, "w/new", current + 1, "new");
    }

    [Fact]
    public async Task WatchDeliversOnlyKeysUnderItsPrefix()
    {
        var r0 = await Store.CurrentRevisionAsync();
        await using var watch = new WatchRecorder(Store, "a/", r0 + 1);

        await Store.PutAsync("ab", Bytes("x"));
        await Store.PutAsync("a/1", Bytes("1"));
        await Store.PutAsync("a0", Bytes("x"));
        await Store.PutAsync("a", Bytes("x"));
        await Store.DeletePrefixAsync("a");
        await Store.PutAsync("a/2", Bytes("2"));

        var events = await watch.TakeAsync(3);
        AssertEvent(events[0], WatchEventType.Put, "a/1", r0 + 2, "1");
        AssertEvent(events[1], WatchEventType.Delete, "a/1", r0 + 5);
        AssertEvent(events[2], WatchEventType.Put, "a/2", r0 + 6, "2");
    }

    [Fact]
    public async Task WatchShowsATransactionAsOneRevisionInOperationOrder()
    {
        await Store.PutAsync("w/c", Bytes("c"));
        var before = await Store.CurrentRevisionAsync();
        await using var watch = new WatchRecorder(Store, "w/", before + 1);

        await Store.TxnAsync([], [new TxnOp.Put("w/b", Bytes("b")), new TxnOp.Put("w/a", Bytes("a")), new TxnOp.Delete("w/c")]);

        var events = await watch.TakeAsync(3);
        AssertEvent(events[0], WatchEventType.Put, "w/b", before + 1, "b");
        AssertEvent(events[1], WatchEventType.Put, "w/a", before + 1, "a");
        AssertEvent(events[2], WatchEventType.Delete, "w/c", before + 1);
    }

    [Fact]
    public async Task WatchesStartedDuringConcurrentWritesSeeEveryRevisionOnceInOrder()
    {
        const int Writers = 4;
        const int WritesEach = 40;
        var r0 = await Store.CurrentRevisionAsync();
        var last = r0 + (Writers * WritesEach);

        var writers = Enumerable.Range(0, Writers)
            .Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < WritesEach; i++)
                {
                    await Store.PutAsync($"c/{w}/{i}", Bytes($"{w}.{i}"));
                }
            }))
            .ToList();

        // Watches opened while the writers run, each from the revision current at that moment: every
        // one races its history read against commits that land before it starts waiting.
        var watches = new List<(long From, WatchRecorder Recorder)> { (r0 + 1, new WatchRecorder(Store, "c/", r0 + 1)) };
        while (writers.Any(w => !w.IsCompleted) && watches.Count < 12)
        {
            var from = await Store.CurrentRevisionAsync() + 1;
            watches.Add((from, new WatchRecorder(Store, "c/", from)));
            await Task.Yield();
        }

        await Task.WhenAll(writers).WaitAsync(Deadline);
        var marker = await Store.PutAsync("c/marker", Bytes("end"));
        Assert.Equal(last + 1, marker);

        foreach (var (from, recorder) in watches)
        {
            await using (recorder)
            {
                var events = await recorder.TakeAsync((int)(marker - from + 1));
                Assert.Equal(Enumerable.Range(0, (int)(marker - from + 1)).Select(i => from + i), events.Select(e => e.Revision));
                Assert.Equal("c/marker", events[^1].Kv.Key);
            }
        }

        var all = (await Store.RangeAsync("c/")).Items;
        Assert.Equal((Writers * WritesEach) + 1, all.Count);
    }

    [Fact]
    public async Task WatchFromACompactedRevisionThrows()
    {
        var r0 = await Store.CurrentRevisionAsync();
        for (var i = 1; i <= 5; i++)
        {
            await Store.PutAsync($"h/{i}", Bytes($"{i}"));
        }

        await CompactAsync(Store, r0 + 3);

        using var deadline = new CancellationTokenSource(Deadline);
        var error = await Assert.ThrowsAsync<StoreCompactedException>(async () =>
        {
            await foreach (var unused in Store.WatchAsync("h/", r0 + 2, deadline.Token))
            {
                Assert.Fail($"no event expected from a compacted revision, got {unused}");
            }
        });
        Assert.Equal(r0 + 2, error.Requested);
        Assert.True(error.CompactedRevision >= r0 + 3, $"compacted revision {error.CompactedRevision}");

        await using var kept = new WatchRecorder(Store, "h/", r0 + 4);
        AssertEvent(await kept.NextAsync(), WatchEventType.Put, "h/4", r0 + 4, "4");
        AssertEvent(await kept.NextAsync(), WatchEventType.Put, "h/5", r0 + 5, "5");
    }

    [Fact]
    public async Task CancellingAWatchEndsItWithoutAnError()
    {
        var current = await Store.CurrentRevisionAsync();
        using var cancel = new CancellationTokenSource();
        await using var watch = Store.WatchAsync("z/", current + 1, cancel.Token).GetAsyncEnumerator(cancel.Token);

        var pending = watch.MoveNextAsync().AsTask();
        await cancel.CancelAsync();

        Assert.False(await pending.WaitAsync(Deadline));
    }

    // ---- leases ----

    [Fact]
    public async Task KeysOfAnExpiredLeaseVanishInOneRevision()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(10));
        await Store.PutAsync("l/a", Bytes("a"), lease);
        await Store.PutAsync("l/b", Bytes("b"), lease);
        await Store.PutAsync("l/plain", Bytes("p"));
        var before = await Store.CurrentRevisionAsync();
        await using var watch = new WatchRecorder(Store, "l/", before + 1);

        await PassTimeAsync(TimeSpan.FromSeconds(9));
        Assert.Equal(lease, (await Store.GetAsync("l/a"))?.Lease);

        await PassTimeAsync(TimeSpan.FromSeconds(2));
        var deletes = await watch.TakeAsync(2);
        AssertEvent(deletes[0], WatchEventType.Delete, "l/a", before + 1);
        AssertEvent(deletes[1], WatchEventType.Delete, "l/b", before + 1);

        Assert.Null(await Store.GetAsync("l/a"));
        Assert.Null(await Store.GetAsync("l/b"));
        Assert.NotNull(await Store.GetAsync("l/plain"));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.KeepAliveAsync(lease));
    }

    [Fact]
    public async Task KeepAliveExtendsALease()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(10));
        await Store.PutAsync("l/key", Bytes("v"), lease);
        var before = await Store.CurrentRevisionAsync();

        await PassTimeAsync(TimeSpan.FromSeconds(6));
        await Store.KeepAliveAsync(lease);
        await PassTimeAsync(TimeSpan.FromSeconds(6));

        // 12 s after the grant, 6 s after the renewal: still alive, so renewing works again.
        await Store.KeepAliveAsync(lease);
        Assert.NotNull(await Store.GetAsync("l/key"));

        await using var watch = new WatchRecorder(Store, "l/", before + 1);
        await PassTimeAsync(TimeSpan.FromSeconds(11));
        AssertEvent(await watch.NextAsync(), WatchEventType.Delete, "l/key", before + 1);
    }

    [Fact]
    public async Task RevokeDeletesTheKeysAtOnce()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromMinutes(1));
        await Store.PutAsync("l/a", Bytes("a"), lease);
        await Store.PutAsync("l/b", Bytes("b"), lease);
        var before = await Store.CurrentRevisionAsync();

        await Store.RevokeLeaseAsync(lease);

        Assert.Empty((await Store.RangeAsync("l/")).Items);
        Assert.Equal(before + 1, await Store.CurrentRevisionAsync());
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.KeepAliveAsync(lease));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.RevokeLeaseAsync(lease));
    }

    [Fact]
    public async Task UnknownLeasesAreRefused()
    {
        const long Unknown = 424_242_424;
        var before = await Store.CurrentRevisionAsync();

        var keepAlive = await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.KeepAliveAsync(Unknown));
        Assert.Equal(Unknown, keepAlive.Lease);
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.RevokeLeaseAsync(Unknown));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.PutAsync("l/orphan", Bytes("x"), Unknown));

        Assert.Null(await Store.GetAsync("l/orphan"));
        Assert.Equal(before, await Store.CurrentRevisionAsync());
    }

    [Fact]
    public async Task AnExpiredLeaseCannotBeRenewedOrUsed()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(5));
        await Store.PutAsync("l/key", Bytes("v"), lease);

        await PassTimeAsync(TimeSpan.FromSeconds(6));

        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.KeepAliveAsync(lease));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.PutAsync("l/late", Bytes("x"), lease));
        Assert.Null(await Store.GetAsync("l/key"));
        Assert.Null(await Store.GetAsync("l/late"));
    }

    [Fact]
    public async Task PuttingAKeyWithoutALeaseDetachesIt()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromMinutes(1));
        await Store.PutAsync("l/key", Bytes("leased"), lease);
        var revision = await Store.PutAsync("l/key", Bytes("kept"));

        await Store.RevokeLeaseAsync(lease);

        AssertKey(await Store.GetAsync("l/key"), "l/key", "kept", revision - 1, revision, 2);
    }

    [Fact]
    public async Task LeasesHaveDistinctIds()
    {
        var a = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        var b = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        await Store.RevokeLeaseAsync(b);
        var c = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30));

        // Never reused, not even after a revoke: a stale holder must not renew someone else's lease.
        Assert.Equal(3, new[] { a, b, c }.Distinct().Count());
        Assert.All(new[] { a, b, c }, id => Assert.NotEqual(0, id));
    }

    // ---- persistence ----

    [Fact]
    public async Task EverythingSurvivesAReopen()
    {
        var r0 = await Store.CurrentRevisionAsync();
        var created = await Store.PutAsync("s/a", Bytes("a1"));
        var updated = await Store.PutAsync("s/a", Bytes("a2"));
        await Store.PutAsync("s/gone", Bytes("g"));
        await Store.DeleteAsync("s/gone");
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        var leased = await Store.PutAsync("s/leased", Bytes("l"), lease);
        var revision = await Store.CurrentRevisionAsync();

        await ReopenAsync();

        Assert.Equal(revision, await Store.CurrentRevisionAsync());
        AssertKey(await Store.GetAsync("s/a"), "s/a", "a2", created, updated, 2);
        AssertKey(await Store.GetAsync("s/leased"), "s/leased", "l", leased, leased, 1, lease);
        Assert.Null(await Store.GetAsync("s/gone"));

        // The history is still there for watches that resume from before the restart.
        await using (var watch = new WatchRecorder(Store, "s/", r0 + 1))
        {
            var events = await watch.TakeAsync(5);
            Assert.Equal([r0 + 1, r0 + 2, r0 + 3, r0 + 4, r0 + 5], events.Select(e => e.Revision));
        }

        // The lease kept its deadline and id; new leases do not reuse it.
        await Store.KeepAliveAsync(lease);
        Assert.NotEqual(lease, await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(revision + 1, await Store.PutAsync("s/b", Bytes("b")));
        await Store.RevokeLeaseAsync(lease);
        Assert.Null(await Store.GetAsync("s/leased"));
    }

    [Fact]
    public async Task ALeaseRunsOutAfterAReopen()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(10));
        await Store.PutAsync("s/leased", Bytes("l"), lease);
        var before = await Store.CurrentRevisionAsync();
        await PassTimeAsync(TimeSpan.FromSeconds(4));

        await ReopenAsync();
        await using var watch = new WatchRecorder(Store, "s/", before + 1);
        await PassTimeAsync(TimeSpan.FromSeconds(7));

        AssertEvent(await watch.NextAsync(), WatchEventType.Delete, "s/leased", before + 1);
        Assert.Null(await Store.GetAsync("s/leased"));
    }

    [Fact]
    public async Task Concurrent_writes_each_get_a_revision_of_their_own_and_one_failing_spoils_no_other()
    {
        var r0 = await Store.CurrentRevisionAsync();

        // Many writers at once, as a hundred replicas reporting together; one of them names a
        // lease that does not exist.
        var writes = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => Store.PutAsync($"burst/{i:D3}", Bytes($"v{i}"), lease: i == 100 ? 987654321 : 0)))
            .ToList();
        var refused = await Assert.ThrowsAsync<LeaseNotFoundException>(() => writes[100]);
        Assert.Contains("987654321", refused.Message);

        var revisions = new List<long>();
        for (var i = 0; i < writes.Count; i++)
        {
            if (i == 100)
            {
                continue;
            }

            var revision = await writes[i];
            revisions.Add(revision);
            var stored = await Store.GetAsync($"burst/{i:D3}");
            Assert.Equal(($"v{i}", revision), (Encoding.UTF8.GetString(stored!.Value), stored.ModRevision));
        }

        // No revision shared, none skipped, and the refused write left nothing behind.
        Assert.Equal(Enumerable.Range(1, 199).Select(n => r0 + n), revisions.Order());
        Assert.Equal(r0 + 199, await Store.CurrentRevisionAsync());
        Assert.Null(await Store.GetAsync("burst/100"));
    }
}
