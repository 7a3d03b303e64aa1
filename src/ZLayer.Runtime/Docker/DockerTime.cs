using System.Globalization;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// Times as the engine writes them: RFC 3339 with up to nine fractional digits (more than .NET
/// parses; the last two are below its 100 ns resolution and dropped), and year 1 for "never".
/// </summary>
internal static class DockerTime
{
    public static DateTimeOffset? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = text[..(dot + 8)] + text[end..];
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) && time.Year > 1
            ? time
            : null;
    }

    /// <summary>A time as the logs endpoint's <c>since</c> takes it: seconds since the epoch, with nanoseconds.</summary>
    public static string UnixSeconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanoseconds = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanoseconds:D9}");
    }
}
