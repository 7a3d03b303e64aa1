using ZLayer.TestImages.Engines;

namespace ZLayer.Control.Tests.Store;

/// <summary>One real etcd per test class; each test keeps to a namespace of its own in it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
