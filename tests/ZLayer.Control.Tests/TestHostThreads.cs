using System.Runtime.CompilerServices;

namespace ZLayer.Control.Tests;

internal static class TestHostThreads
{
    /// <summary>
    /// The test host keeps thread-pool threads in blocking socket reads to talk to the runner. On a busy
    /// 2-core machine the pool then adds threads slowly, and any await could stall for most of a second.
    /// The tests wait on events with deadlines, so they stay correct either way; this only keeps them fast.
    /// </summary>
#pragma warning disable CA2255 // A test assembly is the one place where setting process-wide state at load time is wanted.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void ReserveThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
    }
}
