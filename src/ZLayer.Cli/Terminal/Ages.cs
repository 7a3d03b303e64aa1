namespace ZLayer.Cli.Terminal;

/// <summary>Short ages for tables (<c>45s</c>, <c>12m</c>, <c>3h</c>, <c>2d</c>), as kubectl prints them.</summary>
public static class Ages
{
    public static string Since(DateTimeOffset? then, DateTimeOffset now)
    {
        if (then is null)
        {
            return "-";
        }

        var age = now - then.Value;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds}s"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
