namespace ZLayer.Server.Metrics;

/// <summary>The live values of one labelled series. Recording is lock-free: the hot paths of the proxy and DNS record into these.</summary>
internal abstract class MetricSeries
{
    public abstract void Record(double value);

    /// <summary>Adds to a double without a lock: a compare-and-swap on its bits.</summary>
    protected static void AddTo(ref double target, double value)
    {
        var current = Volatile.Read(ref target);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref target, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }
}
