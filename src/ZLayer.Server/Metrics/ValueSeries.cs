namespace ZLayer.Server.Metrics;

/// <summary>One number: a running sum (counters, up-down counters) or the last value seen (gauges, observed totals).</summary>
internal sealed class ValueSeries(bool sum) : MetricSeries
{
    private double value;

    public double Value => Volatile.Read(ref value);

    public override void Record(double measurement)
    {
        if (sum)
        {
            AddTo(ref value, measurement);
        }
        else
        {
            Volatile.Write(ref value, measurement);
        }
    }
}
