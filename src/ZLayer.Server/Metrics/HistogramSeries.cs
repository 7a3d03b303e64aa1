namespace ZLayer.Server.Metrics;

/// <summary>
/// A histogram's counts per bucket (not cumulative: the writer adds them up), its total count
/// and its sum. A scrape may read between a bucket increment and the count's; the next scrape
/// is consistent again, which is all Prometheus needs from a monotonic series.
/// </summary>
internal sealed class HistogramSeries(double[] bounds) : MetricSeries
{
    // One more than the bounds: the last bucket is everything above the highest bound (+Inf).
    private readonly long[] buckets = new long[bounds.Length + 1];
    private long count;
    private double sum;

    public IReadOnlyList<double> Bounds => bounds;

    public long Count => Interlocked.Read(ref count);

    public double Sum => Volatile.Read(ref sum);

    public long BucketCount(int index) => Interlocked.Read(ref buckets[index]);

    public override void Record(double value)
    {
        // Prometheus buckets are upper-inclusive (le); the bounds are few, so a linear scan is as fast as a binary search.
        var index = 0;
        while (index < bounds.Length && value > bounds[index])
        {
            index++;
        }

        Interlocked.Increment(ref buckets[index]);
        AddTo(ref sum, value);
        Interlocked.Increment(ref count);
    }
}
