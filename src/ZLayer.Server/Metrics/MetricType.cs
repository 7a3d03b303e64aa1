namespace ZLayer.Server.Metrics;

/// <summary>The Prometheus family types the exposition uses.</summary>
internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}
