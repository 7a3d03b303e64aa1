using System.Globalization;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Compose durations (Go's syntax): numbers with units, several parts allowed, fractions allowed
/// (<c>1m30s</c>, <c>10s</c>, <c>500ms</c>, <c>1.5h</c>, <c>2us</c>). A bare <c>0</c> is zero.
/// </summary>
internal static class ComposeDuration
{
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m),
        ("us", 10m),
        ("µs", 10m),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out Duration value, out string error)
    {
        value = default;
        var s = text.Trim();
        if (s == "0")
        {
            error = "";
            return true;
        }

        if (s.Length == 0)
        {
            error = "empty duration";
            return false;
        }

        decimal ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid duration '{text}': expected a number such as 10s, 1m30s or 500ms";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var size = Array.Find(Units, u => u.Unit == unit).Ticks;
            if (size == 0)
            {
                error = unit.Length == 0
                    ? $"invalid duration '{text}': a unit is needed, e.g. {number}s"
                    : $"invalid duration '{text}': unknown unit '{unit}' (use h, m, s, ms, us or ns)";
                return false;
            }

            try
            {
                ticks = checked(ticks + (number * size));
            }
            catch (OverflowException)
            {
                error = $"invalid duration '{text}': too long";
                return false;
            }
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"invalid duration '{text}': too long";
            return false;
        }

        value = new Duration(TimeSpan.FromTicks((long)decimal.Round(ticks)));
        error = "";
        return true;
    }
}
