using System.Diagnostics.Metrics;
using System.Text;

namespace ZLayer.Server.Metrics;

/// <summary>
/// Listens to every meter whose name starts with <see cref="MeterPrefix"/> and keeps its
/// measurements aggregated in memory (sums, last values, bucketed histograms) for the /metrics
/// exposition. Recording costs a lookup and an interlocked add; a scrape refreshes the scrape-time
/// sources, observes the observable instruments and writes the text.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>The meters of this project; the runtime's and ASP.NET Core's own meters are not exposed.</summary>
    public const string MeterPrefix = "ZLayer.";

    private readonly MeterListener listener = new();
    private readonly Lock families = new();
    private readonly Dictionary<string, MetricFamily> byName = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim scrape = new(1, 1);
    private readonly IReadOnlyList<IScrapeSource> sources;
    private readonly IMeterFactory? scope;

    /// <param name="scope">The factory of this API's own meters: meters another factory made (a second API in the same process, as in tests) are left to that API's collector. Meters made without a factory are process-wide and always included.</param>
    public MetricsCollector(IMeterFactory? scope = null, IEnumerable<IScrapeSource>? sources = null)
    {
        this.scope = scope;
        this.sources = [.. sources ?? []];
        listener.InstrumentPublished = Publish;
        listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        listener.Start();
    }

    /// <summary>The exposition of everything recorded so far, with the scrape-time sources read now.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        await scrape.WaitAsync(cancellationToken);
        try
        {
            foreach (var source in sources)
            {
                await source.RefreshAsync(cancellationToken);
            }

            List<MetricFamily> snapshot;
            lock (families)
            {
                snapshot = [.. byName.Values];
            }

            foreach (var family in snapshot.Where(f => f.Observed))
            {
                family.Clear();
            }

            listener.RecordObservableInstruments();
            var text = new StringBuilder(16 * 1024);
            PrometheusTextWriter.Write(text, snapshot);
            return text.ToString();
        }
        finally
        {
            scrape.Release();
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        scrape.Dispose();
    }

    private void Publish(Instrument instrument, MeterListener meters)
    {
        var meter = instrument.Meter;
        if (!meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal) || (meter.Scope is not null && !ReferenceEquals(meter.Scope, scope))
            || MetricFamily.For(instrument) is not { } family)
        {
            return;
        }

        lock (families)
        {
            if (byName.TryGetValue(family.Name, out var existing))
            {
                // Same name, different shape: exposing both would make an invalid exposition, so the later one is left out.
                if (!existing.CompatibleWith(family))
                {
                    return;
                }

                family = existing;
            }
            else
            {
                byName[family.Name] = family;
            }
        }

        meters.EnableMeasurementEvents(instrument, family);
    }
}
