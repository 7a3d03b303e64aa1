using System.Globalization;
using System.Text;

namespace ZLayer.Spec.Values;

/// <summary>
/// A duration in the humantime syntax upstream uses: whole numbers with units, several parts
/// allowed (<c>1h30m</c>, <c>1h 30m</c>, <c>500ms</c>, <c>2days</c>). A bare number is rejected.
/// </summary>
public readonly record struct Duration(TimeSpan Value) : ISpecScalar<Duration>
{
    // humantime's month and year: 30.44 and 365.25 days.
    private const long SecondsPerMonth = 2_630_016;
    private const long SecondsPerYear = 31_557_600;

    private static readonly (string[] Names, long Nanos)[] Units =
    [
        (["nanos", "nsec", "ns"], 1),
        (["usec", "us", "µs"], 1_000),
        (["millis", "msec", "ms"], 1_000_000),
        (["seconds", "second", "secs", "sec", "s"], 1_000_000_000),
        (["minutes", "minute", "mins", "min", "m"], 60_000_000_000),
        (["hours", "hour", "hrs", "hr", "h"], 3_600_000_000_000),
        (["days", "day", "d"], 86_400_000_000_000),
        (["weeks", "week", "w"], 604_800_000_000_000),
        (["months", "month", "M"], SecondsPerMonth * 1_000_000_000),
        (["years", "year", "y"], SecondsPerYear * 1_000_000_000),
    ];

    public static string SyntaxDescription => "a duration such as 30s, 5m, 1h30m, 500ms, 2days";

    public static Duration FromSeconds(double seconds) => new(TimeSpan.FromSeconds(seconds));

    public static bool TryParse(string text, out Duration value, out string error)
    {
        value = default;
        var s = text.Trim();
        if (s.Length == 0)
        {
            error = "empty duration";
            return false;
        }

        long totalNanos = 0;
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && s[i] == ' ')
            {
                i++;
            }

            var numberStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == numberStart)
            {
                error = $"invalid duration '{text}': expected a number at position {i + 1}";
                return false;
            }

            if (!long.TryParse(s.AsSpan(numberStart, i - numberStart), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid duration '{text}': number too large";
                return false;
            }

            if (i < s.Length && s[i] == '.')
            {
                error = $"invalid duration '{text}': fractions are not allowed (write 1h30m, not 1.5h)";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsLetter(s[i]) || i < s.Length && s[i] == 'µ')
            {
                i++;
            }

            var unit = s[unitStart..i];
            if (unit.Length == 0)
            {
                error = $"invalid duration '{text}': time unit needed, e.g. {number}s or {number}m";
                return false;
            }

            var nanos = UnitNanos(unit);
            if (nanos is null)
            {
                error = $"invalid duration '{text}': unknown unit '{unit}' (use ms, s, m, h, d, w)";
                return false;
            }

            try
            {
                totalNanos = checked(totalNanos + checked(number * nanos.Value));
            }
            catch (OverflowException)
            {
                error = $"invalid duration '{text}': too long";
                return false;
            }
        }

        value = new Duration(TimeSpan.FromTicks(totalNanos / 100));
        error = "";
        return true;
    }

    private static long? UnitNanos(string unit)
    {
        foreach (var (names, nanos) in Units)
        {
            // Only M (month) is case-sensitive against m (minute); the rest are lowercase in humantime.
            if (Array.IndexOf(names, unit) >= 0)
            {
                return nanos;
            }
        }

        return null;
    }

    /// <summary>Writes the duration as humantime does: largest units first, separated by spaces.</summary>
    public string ToSpecString()
    {
        var ticks = Value.Ticks;
        if (ticks == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        var nanos = ticks * 100;
        (long Size, string Name)[] parts =
        [
            (86_400_000_000_000, "d"), (3_600_000_000_000, "h"), (60_000_000_000, "m"),
            (1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us"), (1, "ns"),
        ];
        foreach (var (size, name) in parts)
        {
            var count = nanos / size;
            if (count > 0)
            {
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }

                sb.Append(count.ToString(CultureInfo.InvariantCulture)).Append(name);
                nanos -= count * size;
            }
        }

        return sb.ToString();
    }

    public override string ToString() => ToSpecString();
}
