using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;

namespace ZLayer.Networking.Dns;

/// <summary>
/// The DNS server's instruments on meter <see cref="MeterName"/>: queries by type, response code
/// and transport; forwards by upstream and outcome; packets dropped by reason; and the time from
/// receiving a query to sending its reply, in milliseconds.
/// </summary>
public sealed class DnsMetrics : IDisposable
{
    public const string MeterName = "ZLayer.Dns";

    private static readonly Dictionary<DnsRecordType, string> TypeNames =
        Enum.GetValues<DnsRecordType>().ToDictionary(t => t, t => t.ToString().ToUpperInvariant());

    private static readonly Dictionary<DnsResponseCode, string> CodeNames =
        Enum.GetValues<DnsResponseCode>().ToDictionary(c => c, c => c.ToString().ToUpperInvariant());

    private readonly Meter _meter;
    private readonly Counter<long> _queries;
    private readonly Counter<long> _forwards;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _duration;

    public DnsMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _queries = _meter.CreateCounter<long>("zlayer.dns.queries", "{query}", "Queries answered, by record type, response code and transport");
        _forwards = _meter.CreateCounter<long>("zlayer.dns.forwarded", "{query}", "Queries forwarded upstream, by upstream and outcome (udp, tcp, timeout, failed)");
        _dropped = _meter.CreateCounter<long>("zlayer.dns.dropped", "{packet}", "Packets not answered, by reason");
        _duration = _meter.CreateHistogram<double>("zlayer.dns.duration", "ms", "Time from receiving a query to sending its reply",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500] });
    }

    /// <summary>The meter, so a listener can tell this server's instruments from another's.</summary>
    public Meter Meter => _meter;

    public void RecordQuery(string transport, DnsRecordType? type, DnsResponseCode code, TimeSpan elapsed)
    {
        var typeName = type is { } t ? TypeNames.GetValueOrDefault(t, "OTHER") : "NONE";
        var tags = new TagList { { "type", typeName }, { "rcode", CodeNames.GetValueOrDefault(code, "OTHER") }, { "transport", transport } };
        _queries.Add(1, tags);
        _duration.Record(elapsed.TotalMilliseconds, tags);
    }

    public void RecordForward(IPEndPoint upstream, string outcome) =>
        _forwards.Add(1, new KeyValuePair<string, object?>("upstream", upstream.ToString()), new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
