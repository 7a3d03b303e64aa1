using System.Globalization;

namespace ZLayer.Bench;

/// <summary>How benchmarks summarise and print what they measured.</summary>
public static class Measure
{
    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    public static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:F0}ms");

    public static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
