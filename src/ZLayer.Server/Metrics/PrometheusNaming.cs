using System.Text;

namespace ZLayer.Server.Metrics;

/// <summary>
/// Turns OpenTelemetry-style instrument names and UCUM units into Prometheus names: dots and
/// other foreign characters become underscores, the unit becomes a base-unit suffix (values are
/// scaled to it, so milliseconds are exposed as seconds), and counters end in <c>_total</c>.
/// </summary>
internal static class PrometheusNaming
{
    /// <summary>What a UCUM unit becomes: the suffix and the factor from the instrument's unit to it.</summary>
    public static (string Suffix, double Scale) Unit(string? unit, MetricType type) => unit switch
    {
        null or "" => ("", 1),
        // Annotations like {request} name what is counted, not a unit.
        _ when unit.StartsWith('{') && unit.EndsWith('}') => ("", 1),
        "s" => ("seconds", 1),
        "ms" => ("seconds", 1e-3),
        "us" => ("seconds", 1e-6),
        "ns" => ("seconds", 1e-9),
        "min" => ("seconds", 60),
        "By" => ("bytes", 1),
        "KiBy" => ("bytes", 1024),
        "MiBy" => ("bytes", 1024 * 1024),
        "1" => (type == MetricType.Gauge ? "ratio" : "", 1),
        "%" => ("percent", 1),
        _ => (Sanitize(unit).Trim('_').ToLowerInvariant(), 1),
    };

    /// <summary>The family name for an instrument; histogram sample names add _bucket, _sum and _count to it.</summary>
    public static string MetricName(string instrument, string? unit, MetricType type)
    {
        var name = Sanitize(instrument);
        if (type == MetricType.Counter && name.EndsWith("_total", StringComparison.Ordinal))
        {
            name = name[..^"_total".Length];
        }

        var (suffix, _) = Unit(unit, type);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name = $"{name}_{suffix}";
        }

        return type == MetricType.Counter ? name + "_total" : name;
    }

    /// <summary>A label name: letters, digits and underscores, not starting with a digit.</summary>
    public static string LabelName(string key) => Sanitize(key);

    // Colons are legal in names but reserved for recording rules, so they are replaced too.
    private static string Sanitize(string text)
    {
        if (text.Length == 0)
        {
            return "_";
        }

        var builder = new StringBuilder(text.Length + 1);
        if (char.IsAsciiDigit(text[0]))
        {
            builder.Append('_');
        }

        foreach (var c in text)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }
}
