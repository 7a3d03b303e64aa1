using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ZLayer.Server.Metrics;

/// <summary>
/// One Prometheus family: every series of the instruments that map to its name. Instruments of
/// the same name from several meters (two proxies in one process) share the family, so their
/// series add up instead of appearing twice.
/// </summary>
internal sealed class MetricFamily
{
    /// <summary>Request-latency buckets in seconds, for histograms in time units that advise none.</summary>
    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>OpenTelemetry's default explicit buckets, for histograms of other units.</summary>
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly ConcurrentDictionary<LabelSet, MetricSeries> series = new(LabelSetComparer.Instance);
    private readonly ConcurrentDictionary<LabelSet, MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> lookup;
    private readonly double[]? bounds;
    private readonly bool sum;

    private MetricFamily(string name, string help, MetricType type, bool sum, bool observed, double scale, double[]? bounds)
    {
        Name = name;
        Help = help;
        Type = type;
        Observed = observed;
        Scale = scale;
        this.sum = sum;
        this.bounds = bounds;
        lookup = series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public string Name { get; }

    public string Help { get; }

    public MetricType Type { get; }

    /// <summary>Fed by callbacks at scrape time: cleared before each observation, so a replica that went away leaves no stale series.</summary>
    public bool Observed { get; }

    /// <summary>Multiplies each measurement into the exposed base unit.</summary>
    public double Scale { get; }

    public IEnumerable<KeyValuePair<LabelSet, MetricSeries>> Series => series;

    /// <summary>The family an instrument belongs in, or null for an instrument kind the exposition has no type for.</summary>
    public static MetricFamily? For(Instrument instrument)
    {
        var definition = instrument.GetType().GetGenericTypeDefinition();
        (MetricType Type, bool Sum, bool Observed)? kind =
            definition == typeof(Counter<>) ? (MetricType.Counter, true, false)
            : definition == typeof(UpDownCounter<>) ? (MetricType.Gauge, true, false)
            : definition == typeof(Gauge<>) ? (MetricType.Gauge, false, false)
            : definition == typeof(Histogram<>) ? (MetricType.Histogram, true, false)
            // Observable counters report their running total; the exposition shows it as is.
            : definition == typeof(ObservableCounter<>) ? (MetricType.Counter, false, true)
            : definition == typeof(ObservableUpDownCounter<>) ? (MetricType.Gauge, false, true)
            : definition == typeof(ObservableGauge<>) ? (MetricType.Gauge, false, true)
            : null;
        if (kind is not { } k)
        {
            return null;
        }

        var (_, scale) = PrometheusNaming.Unit(instrument.Unit, k.Type);
        var name = PrometheusNaming.MetricName(instrument.Name, instrument.Unit, k.Type);
        var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        var bounds = k.Type == MetricType.Histogram ? Bounds(instrument, scale) : null;
        return new MetricFamily(name, help, k.Type, k.Sum, k.Observed, scale, bounds);
    }

    /// <summary>Whether another instrument's family can share this one's series.</summary>
    public bool CompatibleWith(MetricFamily other) =>
        other.Type == Type && other.sum == sum && other.Observed == Observed && other.Scale.Equals(Scale)
        && (bounds is null ? other.bounds is null : other.bounds is not null && bounds.AsSpan().SequenceEqual(other.bounds));

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        if (!lookup.TryGetValue(tags, out var target))
        {
            // A new series: the only path that allocates. Two threads racing here agree on the first one added.
            var key = LabelSet.From(tags);
            target = series.GetOrAdd(key, Type == MetricType.Histogram ? new HistogramSeries(bounds!) : new ValueSeries(sum));
        }

        target.Record(value * Scale);
    }

    public void Clear() => series.Clear();

    private static double[] Bounds(Instrument instrument, double scale)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 })
        {
            return [.. advised.Select(b => b * scale).Where(double.IsFinite).Distinct().Order()];
        }

        return PrometheusNaming.Unit(instrument.Unit, MetricType.Histogram).Suffix == "seconds" ? SecondsBuckets : DefaultBuckets;
    }
}
