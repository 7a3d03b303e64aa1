using ZLayer.Control.Store;
using ZLayer.Control.Store.Etcd;
using ZLayer.TestImages.Engines;
using ZLayer.TestImages.Tools;

namespace ZLayer.Control.Tests.Store;

/// <summary>
/// The store contract on a real etcd, plus what only a cluster client shows: members that do not
/// answer, a member restarting under a watch, authentication, namespaces.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EtcdStateStoreTests(EtcdFixture etcd) : StateStoreContract, IClassFixture<EtcdFixture>
{
    private readonly string _namespace = $"/test-{Guid.NewGuid():N}/";

    private EtcdStoreOptions Options(params Uri[] endpoints) => new()
    {
        Endpoints = endpoints.Length > 0 ? endpoints : [etcd.Server.ClientUrl],
        Namespace = _namespace,
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    protected override async Task<IStateStore> CreateStoreAsync(FakeClock clock) => await EtcdStateStore.OpenAsync(Options());

    protected override Task CompactAsync(IStateStore store, long revision) => ((EtcdStateStore)store).CompactAsync(revision);

    /// <summary>etcd's leases run on its own clock: time has to really pass.</summary>
    protected override Task PassTimeAsync(TimeSpan time) => Task.Delay(time);

    [Fact]
    public async Task RequestsGoToTheNextMemberWhenOneDoesNotAnswer()
    {
        var dead = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        await using var store = await EtcdStateStore.OpenAsync(Options(dead, etcd.Server.ClientUrl));

        var revision = await store.PutAsync("failover/key", Bytes("v"));

        AssertKey(await store.GetAsync("failover/key"), "failover/key", "v", revision, revision, 1);
    }

    [Fact]
    public async Task NoMemberAnsweringIsUnavailableAndNamesEveryMember()
    {
        var first = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var second = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => EtcdStateStore.OpenAsync(Options(first, second)));

        Assert.Contains($"127.0.0.1:{first.Port}", error.Message);
        Assert.Contains($"127.0.0.1:{second.Port}", error.Message);
    }

    [Fact]
    public async Task AWatchCarriesOnAcrossAMemberRestartWithoutLosingOrRepeatingAChange()
    {
        var from = await Store.CurrentRevisionAsync() + 1;
        await using var watch = new WatchRecorder(Store, "restart/", from);
        await Store.PutAsync("restart/before", Bytes("1"));
        AssertEvent(await watch.NextAsync(), WatchEventType.Put, "restart/before", from, "1");

        await etcd.Server.KillAsync();
        await etcd.Server.StartAgainAsync();
        var after = await Store.PutAsync("restart/after", Bytes("2"));
        await Store.DeleteAsync("restart/before");

        AssertEvent(await watch.NextAsync(), WatchEventType.Put, "restart/after", after, "2");
        AssertEvent(await watch.NextAsync(), WatchEventType.Delete, "restart/before", after + 1);
    }

    [Fact]
    public async Task NamespacesKeepStoresApart()
    {
        await using var other = await EtcdStateStore.OpenAsync(Options() with { Namespace = _namespace + "other/" });
        await Store.PutAsync("mine", Bytes("a"));
        await other.PutAsync("theirs", Bytes("b"));

        Assert.Equal(["mine", "other/theirs"], (await Store.RangeAsync("")).Items.Select(i => i.Key));
        Assert.Equal(["theirs"], (await other.RangeAsync("")).Items.Select(i => i.Key));
        Assert.Null(await other.GetAsync("mine"));
    }

    [Fact]
    public async Task AClusterWithAuthenticationNeedsTheRightUser()
    {
        await using var secured = await EtcdServer.StartAsync();
        await secured.CtlAsync("user", "add", "root:s3cret");
        await secured.CtlAsync("auth", "enable");
        var options = new EtcdStoreOptions { Endpoints = [secured.ClientUrl], Namespace = _namespace };

        await using (var store = await EtcdStateStore.OpenAsync(options with { Username = "root", Password = "s3cret" }))
        {
            var revision = await store.PutAsync("auth/key", Bytes("v"));
            AssertKey(await store.GetAsync("auth/key"), "auth/key", "v", revision, revision, 1);
        }

        var wrong = await Assert.ThrowsAsync<StoreUnavailableException>(() => EtcdStateStore.OpenAsync(options with { Username = "root", Password = "wrong" }));
        Assert.Contains("refused the login of user 'root'", wrong.Message);
        Assert.DoesNotContain("wrong", wrong.Message.Replace("'root'", "", StringComparison.Ordinal));

        var anonymous = await Assert.ThrowsAsync<StoreUnavailableException>(() => EtcdStateStore.OpenAsync(options));
        Assert.Contains("etcd", anonymous.Message);
    }

    [Fact]
    public async Task AClusterWithTlsAndClientCertificatesIsReachedWithThem()
    {
        var tls = EtcdTls.Create(Path.Combine(Path.GetTempPath(), $"zl-etcd-tls-{Guid.NewGuid():N}"), clientCertAuth: true);
        await using var secured = await EtcdServer.StartAsync(tls);
        var options = new EtcdStoreOptions { Endpoints = [secured.ClientUrl], Namespace = _namespace, CaFile = tls.CaFile };

        await using (var store = await EtcdStateStore.OpenAsync(options with { CertFile = tls.ClientCertFile, KeyFile = tls.ClientKeyFile }))
        {
            var revision = await store.PutAsync("tls/key", Bytes("v"));
            AssertKey(await store.GetAsync("tls/key"), "tls/key", "v", revision, revision, 1);
        }

        // Without a client certificate the member refuses the handshake; without the CA, ours refuses the member.
        await Assert.ThrowsAsync<StoreUnavailableException>(() => EtcdStateStore.OpenAsync(options));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => EtcdStateStore.OpenAsync(options with { CaFile = null, CertFile = tls.ClientCertFile, KeyFile = tls.ClientKeyFile }));
        Directory.Delete(Path.GetDirectoryName(tls.CaFile)!, recursive: true);
    }

    [Theory]
    [InlineData("etcd://127.0.0.1:2379", "http://127.0.0.1:2379/", "")]
    [InlineData("etcd://10.0.0.1:2379,10.0.0.2:2379/prod", "http://10.0.0.1:2379/ http://10.0.0.2:2379/", "/prod")]
    [InlineData("etcds://etcd.example:2379/a/b/", "https://etcd.example:2379/", "/a/b")]
    public void StoreAddressesParse(string text, string endpoints, string ns)
    {
        Assert.True(EtcdStoreOptions.TryParse(text, out var options, out var error), error);
        Assert.Equal(endpoints, string.Join(' ', options.Endpoints.Select(e => e.ToString())));
        Assert.Equal(ns, options.Namespace);
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379", "is not an etcd address")]
    [InlineData("etcd://", "names no etcd member")]
    [InlineData("etcd://127.0.0.1", "'127.0.0.1' in 'etcd://127.0.0.1' is not HOST:PORT")]
    [InlineData("etcd://user@127.0.0.1:2379", "is not HOST:PORT")]
    public void BadStoreAddressesAreRefusedWithTheReason(string text, string expected)
    {
        Assert.False(EtcdStoreOptions.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }
}
