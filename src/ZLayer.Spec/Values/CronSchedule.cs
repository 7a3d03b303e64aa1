using System.Globalization;

namespace ZLayer.Spec.Values;

/// <summary>
/// A cron schedule, evaluated in UTC. Accepts upstream's 6 or 7 fields with seconds first
/// (<c>sec min hour dom month dow [year]</c>, day of week 1-7 with 1 = Sunday, as the Rust cron
/// crate) and, as a compatibility form, standard 5-field Unix cron (day of week 0-7, 0 and 7 =
/// Sunday; day-of-month and day-of-week combined with OR when both are restricted, as Vixie cron).
/// </summary>
public sealed record CronSchedule : ISpecScalar<CronSchedule>
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly bool[] _seconds = new bool[60];
    private readonly bool[] _minutes = new bool[60];
    private readonly bool[] _hours = new bool[24];
    private readonly bool[] _daysOfMonth = new bool[32];
    private readonly bool[] _months = new bool[13];
    private readonly bool[] _daysOfWeek = new bool[7]; // 0 = Sunday
    private readonly bool[] _years = new bool[MaxYear - MinYear + 1];
    private bool _domRestricted;
    private bool _dowRestricted;

    private const int MinYear = 1970;
    private const int MaxYear = 2099;

    private CronSchedule(string text, int fieldCount)
    {
        Text = text;
        FieldCount = fieldCount;
    }

    public string Text { get; }

    /// <summary>5 for the Unix compatibility form, 6 or 7 for upstream's form.</summary>
    public int FieldCount { get; }

    public bool IsUnixFiveField => FieldCount == 5;

    public static string SyntaxDescription => "cron with seconds first (sec min hour dom month dow [year]), or standard 5-field cron";

    public static bool TryParse(string text, out CronSchedule value, out string error)
    {
        value = null!;
        var fields = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 5 or > 7)
        {
            error = $"invalid cron schedule '{text}': expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]) or 5 Unix fields, found {fields.Length}";
            return false;
        }

        var schedule = new CronSchedule(text.Trim(), fields.Length);
        var unix = fields.Length == 5;
        var f = unix ? ["0", .. fields] : fields;
        string? e =
            ParseField(f[0], "second", 0, 59, null, schedule._seconds, 0) ??
            ParseField(f[1], "minute", 0, 59, null, schedule._minutes, 0) ??
            ParseField(f[2], "hour", 0, 23, null, schedule._hours, 0) ??
            ParseField(f[3], "day of month", 1, 31, null, schedule._daysOfMonth, 0) ??
            ParseField(f[4], "month", 1, 12, MonthNames, schedule._months, 0) ??
            (unix
                ? ParseDayOfWeek(f[5], 0, 7, schedule._daysOfWeek, sundayValue: 0)
                : ParseDayOfWeek(f[5], 1, 7, schedule._daysOfWeek, sundayValue: 1)) ??
            (f.Length == 7 ? ParseField(f[6], "year", MinYear, MaxYear, null, schedule._years, MinYear) : null);
        if (e is not null)
        {
            error = $"invalid cron schedule '{text}': {e}";
            return false;
        }

        if (f.Length != 7)
        {
            Array.Fill(schedule._years, true);
        }

        schedule._domRestricted = f[3] is not ("*" or "?");
        schedule._dowRestricted = f[5] is not ("*" or "?");
        value = schedule;
        error = "";
        return true;
    }

    private static string? ParseDayOfWeek(string field, int min, int max, bool[] target, int sundayValue)
    {
        var raw = new bool[max + 1];
        var e = ParseField(field, "day of week", min, max, DayNames, raw, 0, nameBase: sundayValue);
        if (e is not null)
        {
            return e;
        }

        for (var v = min; v <= max; v++)
        {
            if (raw[v])
            {
                target[(v - sundayValue + 7) % 7] = true;
            }
        }

        return null;
    }

    /// <param name="offset">Subtracted from values to index <paramref name="target"/> (years start at 1970).</param>
    /// <param name="nameBase">The numeric value of the first name in <paramref name="names"/>.</param>
    private static string? ParseField(string field, string what, int min, int max, string[]? names, bool[] target, int offset, int? nameBase = null)
    {
        foreach (var part in field.Split(','))
        {
            if (part.Length == 0)
            {
                return $"empty list item in the {what} field '{field}'";
            }

            var step = 1;
            var rangePart = part;
            var slash = part.IndexOf('/');
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step <= 0)
                {
                    return $"invalid step in the {what} field '{part}'";
                }

                rangePart = part[..slash];
            }

            int lo, hi;
            if (rangePart is "*" or "?")
            {
                lo = min;
                hi = max;
            }
            else if (rangePart.Length == 0)
            {
                return $"'{part}' needs a value, a range or '*' before '/' in the {what} field";
            }
            else
            {
                var dash = rangePart.IndexOf('-', 1);
                var loText = dash > 0 ? rangePart[..dash] : rangePart;
                var hiText = dash > 0 ? rangePart[(dash + 1)..] : null;
                var loValue = Value(loText, names, nameBase ?? min);
                if (loValue is null)
                {
                    return $"'{loText}' is not a valid {what}";
                }

                lo = loValue.Value;
                hi = lo;
                if (hiText is not null)
                {
                    var hiValue = Value(hiText, names, nameBase ?? min);
                    if (hiValue is null)
                    {
                        return $"'{hiText}' is not a valid {what}";
                    }

                    hi = hiValue.Value;
                }
                else if (slash >= 0)
                {
                    hi = max;
                }
            }

            if (lo < min || hi > max || lo > hi)
            {
                return $"{what} '{rangePart}' is outside {min}-{max}";
            }

            // long: lo + a huge step would wrap around an int.
            for (long v = lo; v <= hi; v += step)
            {
                target[v - offset] = true;
            }
        }

        return null;
    }

    private static int? Value(string text, string[]? names, int nameBase)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        if (names is null || text.Length < 3)
        {
            return null;
        }

        var prefix = text[..3].ToUpperInvariant();
        var index = Array.IndexOf(names, prefix);
        return index < 0 ? null : index + nameBase;
    }

    /// <summary>The first time strictly after <paramref name="after"/> (UTC) that matches, or null when none before 2100.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var t = after.UtcDateTime;
        t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, DateTimeKind.Utc).AddSeconds(1);
        while (t.Year <= MaxYear)
        {
            if (t.Year < MinYear || !_years[t.Year - MinYear])
            {
                t = new DateTime(t.Year + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                continue;
            }

            if (!_months[t.Month])
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
                continue;
            }

            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }

            if (!_hours[t.Hour])
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }

            if (!_minutes[t.Minute])
            {
                t = t.Date.AddHours(t.Hour).AddMinutes(t.Minute + 1);
                continue;
            }

            if (!_seconds[t.Second])
            {
                t = t.AddSeconds(1);
                continue;
            }

            return new DateTimeOffset(t, TimeSpan.Zero);
        }

        return null;
    }

    private bool DayMatches(DateTime t)
    {
        var dom = _daysOfMonth[t.Day];
        var dow = _daysOfWeek[(int)t.DayOfWeek];
        if (IsUnixFiveField && _domRestricted && _dowRestricted)
        {
            return dom || dow;
        }

        return dom && dow;
    }

    public string ToSpecString() => Text;

    public override string ToString() => Text;
}
