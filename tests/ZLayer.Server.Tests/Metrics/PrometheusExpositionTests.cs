using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ZLayer.Server.Metrics;

namespace ZLayer.Server.Tests.Metrics;

/// <summary>
/// The exposition the collector writes, checked line by line and by promtool. Every test's meters
/// come from its own factory, and the collector is scoped to it, so tests running in parallel
/// (and their meters) do not show up in each other's expected lines.
/// </summary>
public sealed class PrometheusExpositionTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Meter meter;
    private readonly MetricsCollector collector;

    public PrometheusExpositionTests()
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        meter = factory.Create("ZLayer.Test");
        collector = new MetricsCollector(factory);
    }

    public void Dispose()
    {
        collector.Dispose();
        services.Dispose();
    }

    [Fact]
    public async Task Counter_is_named_with_total_and_its_label_values_are_escaped()
    {
        var requests = meter.CreateCounter<long>("zlayer.test.requests", "{request}", "Requests, by path");
        requests.Add(2, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));
        requests.Add(3, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));
        requests.Add(1, new KeyValuePair<string, object?>("path", "/"));

        var text = await collector.ScrapeAsync(CancellationToken.None);

        Assert.Contains("# HELP zlayer_test_requests_total Requests, by path\n# TYPE zlayer_test_requests_total counter\n", text);
        Assert.Contains("zlayer_test_requests_total{path=\"/\"} 1\n", text);
        Assert.Contains("zlayer_test_requests_total{path=\"a\\\"b\\\\c\\nd\"} 5\n", text);
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Histogram_writes_cumulative_buckets_then_sum_and_count()
    {
        var sizes = meter.CreateHistogram<double>("zlayer.test.size", "By", "Sizes",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 100, 1000] });
        foreach (var value in new[] { 5.0, 10, 50, 500, 5000 })
        {
            sizes.Record(value, new KeyValuePair<string, object?>("kind", "x"));
        }

        var text = await collector.ScrapeAsync(CancellationToken.None);

        Assert.Contains(
            "# TYPE zlayer_test_size_bytes histogram\n"
            + "zlayer_test_size_bytes_bucket{kind=\"x\",le=\"10\"} 2\n"
            + "zlayer_test_size_bytes_bucket{kind=\"x\",le=\"100\"} 3\n"
            + "zlayer_test_size_bytes_bucket{kind=\"x\",le=\"1000\"} 4\n"
            + "zlayer_test_size_bytes_bucket{kind=\"x\",le=\"+Inf\"} 5\n"
            + "zlayer_test_size_bytes_sum{kind=\"x\"} 5565\n"
            + "zlayer_test_size_bytes_count{kind=\"x\"} 5\n",
            text);
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Milliseconds_are_exposed_in_seconds_with_the_advised_buckets_scaled()
    {
        var latency = meter.CreateHistogram<double>("zlayer.test.latency", "ms", "Latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 250] });
        latency.Record(100);

        var text = await collector.ScrapeAsync(CancellationToken.None);

        Assert.Contains("zlayer_test_latency_seconds_bucket{le=\"0.001\"} 0\n", text);
        Assert.Contains("zlayer_test_latency_seconds_bucket{le=\"0.25\"} 1\n", text);
        Assert.Contains("zlayer_test_latency_seconds_sum 0.1\n", text);
        Assert.DoesNotContain("milliseconds", text);
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Up_down_counters_and_gauges_are_gauges_and_units_become_suffixes()
    {
        var open = meter.CreateUpDownCounter<int>("zlayer.test.open_connections", "{connection}", "Open connections");
        open.Add(3);
        open.Add(-1);
        meter.CreateObservableGauge("zlayer.test.memory", () => 1536L, "By", "Memory");
        meter.CreateObservableGauge("zlayer.test.cpu", () => 0.25, "1", "CPU in cores");
        meter.CreateObservableCounter("zlayer.test.sent_total", () => 7L, "By", "Bytes sent");

        var text = await collector.ScrapeAsync(CancellationToken.None);

        Assert.Contains("# TYPE zlayer_test_open_connections gauge\nzlayer_test_open_connections 2\n", text);
        Assert.Contains("# TYPE zlayer_test_memory_bytes gauge\nzlayer_test_memory_bytes 1536\n", text);
        Assert.Contains("# TYPE zlayer_test_cpu_ratio gauge\nzlayer_test_cpu_ratio 0.25\n", text);
        Assert.Contains("# TYPE zlayer_test_sent_bytes_total counter\nzlayer_test_sent_bytes_total 7\n", text);
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Tags_in_another_order_are_the_same_series()
    {
        var hits = meter.CreateCounter<long>("zlayer.test.hits", null, "Hits");
        hits.Add(1, new KeyValuePair<string, object?>("b", "2"), new KeyValuePair<string, object?>("a", "1"));
        hits.Add(1, new KeyValuePair<string, object?>("a", "1"), new KeyValuePair<string, object?>("b", 2));

        var text = await collector.ScrapeAsync(CancellationToken.None);

        Assert.Contains("zlayer_test_hits_total{a=\"1\",b=\"2\"} 2\n", text);
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Observed_series_that_vanish_leave_the_next_scrape()
    {
        var replicas = new List<string> { "web.1", "web.2" };
        meter.CreateObservableGauge("zlayer.test.replica.up", () => replicas.Select(r => new Measurement<int>(1, new KeyValuePair<string, object?>("replica", r))), null, "Up");

        Assert.Contains("zlayer_test_replica_up{replica=\"web.2\"} 1\n", await collector.ScrapeAsync(CancellationToken.None));
        replicas.Remove("web.2");
        var text = await collector.ScrapeAsync(CancellationToken.None);

        Assert.Contains("zlayer_test_replica_up{replica=\"web.1\"} 1\n", text);
        Assert.DoesNotContain("web.2", text);
    }

    [Fact]
    public async Task Meters_of_another_factory_and_foreign_meters_are_left_out()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        other.GetRequiredService<IMeterFactory>().Create("ZLayer.Test").CreateCounter<long>("zlayer.test.elsewhere", null, "Elsewhere").Add(1);
        using var foreign = new Meter("Some.Library");
        foreign.CreateCounter<long>("some.library.calls", null, "Calls").Add(1);
        meter.CreateCounter<long>("zlayer.test.here", null, "Here").Add(1);

        var text = await collector.ScrapeAsync(CancellationToken.None);

        Assert.Contains("zlayer_test_here_total 1\n", text);
        Assert.DoesNotContain("elsewhere", text);
        Assert.DoesNotContain("some_library", text);
    }

    [Fact]
    public void Recording_into_an_existing_series_allocates_nothing()
    {
        // The proxy records several measurements per request; the collector must not add garbage to each.
        var requests = meter.CreateCounter<long>("zlayer.test.hot", null, "Hot path");
        var latency = meter.CreateHistogram<double>("zlayer.test.hot.duration", "s", "Hot path latency");
        var tags = new TagList { { "deployment", "d" }, { "service", "s" }, { "endpoint", "http" }, { "status_class", "2xx" } };
        requests.Add(1, tags);
        latency.Record(0.001, tags);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            requests.Add(1, tags);
            latency.Record(0.001, tags);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Names_are_sanitised_and_suffixed_once()
    {
        Assert.Equal("zlayer_proxy_requests_total", PrometheusNaming.MetricName("zlayer.proxy.requests", "{request}", MetricType.Counter));
        Assert.Equal("zlayer_x_total", PrometheusNaming.MetricName("zlayer.x_total", null, MetricType.Counter));
        Assert.Equal("zlayer_x_bytes_total", PrometheusNaming.MetricName("zlayer.x", "By", MetricType.Counter));
        Assert.Equal("zlayer_up_seconds", PrometheusNaming.MetricName("zlayer.up_seconds", "s", MetricType.Gauge));
        Assert.Equal("_9lives_a_b", PrometheusNaming.MetricName("9lives.a-b", null, MetricType.Gauge));
        Assert.Equal("http_method", PrometheusNaming.LabelName("http.method"));
    }

    [Fact]
    public void Numbers_use_prometheus_float_syntax()
    {
        Assert.Equal("+Inf", PrometheusTextWriter.Number(double.PositiveInfinity));
        Assert.Equal("-Inf", PrometheusTextWriter.Number(double.NegativeInfinity));
        Assert.Equal("NaN", PrometheusTextWriter.Number(double.NaN));
        Assert.Equal("0.1", PrometheusTextWriter.Number(0.1));
        Assert.Equal("1E-05", PrometheusTextWriter.Number(0.00001));
    }

    private static async Task AssertPromtoolAcceptsAsync(string exposition)
    {
        var (code, output) = await Promtool.CheckMetricsAsync(exposition);
        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics exited {code}: {output}\n---\n{exposition}");
    }
}
