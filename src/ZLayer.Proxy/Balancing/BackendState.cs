using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Balancing;

/// <summary>
/// The live counters of one backend. The same instance is carried from one route table to the
/// next while the backend stays, so in-flight counts, ejection and request totals survive swaps.
/// </summary>
public sealed class BackendState(BackendAddress address)
{
    private int active;
    private int consecutiveFailures;
    private long ejectedUntil;
    private long requests;

    /// <summary>Replaced on each route table swap; the draining flag comes with it.</summary>
    public BackendAddress Address { get; internal set; } = address;

    public int ActiveRequests => Volatile.Read(ref active);

    public long TotalRequests => Interlocked.Read(ref requests);

    public bool IsEjected(long now) => now < Volatile.Read(ref ejectedUntil);

    /// <summary>Counts a request or connection as started; pair with <see cref="Finish"/>.</summary>
    public void Start()
    {
        Interlocked.Increment(ref active);
        Interlocked.Increment(ref requests);
    }

    public void Finish() => Interlocked.Decrement(ref active);

    public void RecordSuccess()
    {
        if (Volatile.Read(ref consecutiveFailures) != 0)
        {
            Volatile.Write(ref consecutiveFailures, 0);
        }
    }

    /// <summary>Counts a failed connect; ejects the backend once the failures in a row reach the limit.</summary>
    public void RecordConnectFailure(PassiveHealthOptions health)
    {
        if (Interlocked.Increment(ref consecutiveFailures) >= health.FailuresToEject)
        {
            Volatile.Write(ref ejectedUntil, Environment.TickCount64 + (long)health.EjectionPeriod.TotalMilliseconds);
            Volatile.Write(ref consecutiveFailures, 0);
        }
    }
}
