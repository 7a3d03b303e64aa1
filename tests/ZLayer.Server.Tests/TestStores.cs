using ZLayer.Control.Store;

namespace ZLayer.Server.Tests;

/// <summary>
/// The one place tests get a store from. Every test runs against what this returns, so switching
/// it to the SQLite store (in a temp directory) runs the whole suite against the real one.
/// </summary>
public static class TestStores
{
    public static Task<IStateStore> CreateAsync() => Task.FromResult<IStateStore>(new InMemoryStateStore());
}
