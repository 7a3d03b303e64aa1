using System.Globalization;
using System.Text;

namespace ZLayer.Server.Metrics;

/// <summary>
/// Writes families in the Prometheus text exposition format 0.0.4: HELP and TYPE lines, then
/// one line per sample, label values escaped, histograms as cumulative <c>_bucket</c> lines
/// with <c>le</c>, then <c>_sum</c> and <c>_count</c>. Families without samples are left out.
/// </summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Write(StringBuilder output, IEnumerable<MetricFamily> families)
    {
        foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var series = family.Series.OrderBy(s => s.Key.Labels, LabelOrder.Instance).ToList();
            if (series.Count == 0)
            {
                continue;
            }

            output.Append("# HELP ").Append(family.Name).Append(' ');
            EscapeHelp(family.Help, output);
            output.Append("\n# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Type)).Append('\n');
            foreach (var (labels, values) in series)
            {
                switch (values)
                {
                    case HistogramSeries histogram:
                        WriteHistogram(output, family.Name, labels, histogram);
                        break;
                    case ValueSeries value:
                        Sample(output, family.Name, labels, null, value.Value);
                        break;
                }
            }
        }
    }

    private static void WriteHistogram(StringBuilder output, string name, LabelSet labels, HistogramSeries histogram)
    {
        // Count first: a sample recorded meanwhile then shows in the buckets, never making +Inf smaller than a bucket.
        var count = histogram.Count;
        var sum = histogram.Sum;
        long cumulative = 0;
        for (var i = 0; i < histogram.Bounds.Count; i++)
        {
            cumulative += histogram.BucketCount(i);
            Sample(output, name + "_bucket", labels, Number(histogram.Bounds[i]), Math.Min(cumulative, count));
        }

        Sample(output, name + "_bucket", labels, "+Inf", count);
        Sample(output, name + "_sum", labels, null, sum);
        Sample(output, name + "_count", labels, null, count);
    }

    private static void Sample(StringBuilder output, string name, LabelSet labels, string? le, double value)
    {
        output.Append(name);
        if (labels.Labels.Count > 0 || le is not null)
        {
            output.Append('{');
            var first = true;
            foreach (var (key, text) in labels.Labels)
            {
                if (!first)
                {
                    output.Append(',');
                }

                first = false;
                output.Append(PrometheusNaming.LabelName(key)).Append("=\"");
                EscapeLabelValue(text, output);
                output.Append('"');
            }

            if (le is not null)
            {
                output.Append(first ? "" : ",").Append("le=\"").Append(le).Append('"');
            }

            output.Append('}');
        }

        output.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>Go's float syntax as Prometheus parses it: +Inf, -Inf, NaN, else the shortest round-trip form.</summary>
    internal static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    internal static void EscapeLabelValue(string value, StringBuilder output)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => output.Append(@"\\"),
                '"' => output.Append("\\\""),
                '\n' => output.Append(@"\n"),
                _ => output.Append(c),
            };
        }
    }

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    private static void EscapeHelp(string help, StringBuilder output)
    {
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => output.Append(@"\\"),
                '\n' => output.Append(@"\n"),
                _ => output.Append(c),
            };
        }
    }

    private static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Histogram => "histogram",
        _ => "gauge",
    };

    /// <summary>Sorts series by their labels so the output is stable from scrape to scrape.</summary>
    private sealed class LabelOrder : IComparer<IReadOnlyList<KeyValuePair<string, string>>>
    {
        public static readonly LabelOrder Instance = new();

        public int Compare(IReadOnlyList<KeyValuePair<string, string>>? x, IReadOnlyList<KeyValuePair<string, string>>? y)
        {
            for (var i = 0; i < Math.Min(x!.Count, y!.Count); i++)
            {
                var order = string.CompareOrdinal(x[i].Key, y[i].Key);
                if (order == 0)
                {
                    order = string.CompareOrdinal(x[i].Value, y[i].Value);
                }

                if (order != 0)
                {
                    return order;
                }
            }

            return x.Count.CompareTo(y.Count);
        }
    }
}
