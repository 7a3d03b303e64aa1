using ZLayer.Spec.Values;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Values;

public sealed class CronScheduleTests
{
    private static CronSchedule Cron(string text)
    {
        Assert.True(CronSchedule.TryParse(text, out var schedule, out var error), error);
        return schedule;
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0 30 2 * * *", "2024-01-01T00:00:00", "2024-01-01T02:30:00")]
    [InlineData("0 30 2 * * *", "2024-01-01T02:30:00", "2024-01-02T02:30:00")]
    [InlineData("0 30 2 * * *", "2024-12-31T03:00:00", "2025-01-01T02:30:00")]
    [InlineData("*/20 * * * * *", "2024-01-01T10:00:05", "2024-01-01T10:00:20")]
    [InlineData("0 */15 * * * *", "2024-01-01T10:07:30", "2024-01-01T10:15:00")]
    [InlineData("0 */15 * * * *", "2024-01-01T10:45:00", "2024-01-01T11:00:00")]
    [InlineData("0 0,30 * * * *", "2024-01-01T10:00:00", "2024-01-01T10:30:00")]
    [InlineData("0 0 1-10/3 * * *", "2024-01-01T04:00:00", "2024-01-01T07:00:00")]
    [InlineData("0 0 1-10/3 * * *", "2024-01-01T10:00:00", "2024-01-02T01:00:00")]
    [InlineData("0 0 9-17 * * MON-FRI", "2024-01-06T12:00:00", "2024-01-08T09:00:00")]
    [InlineData("0 0 0 1 JAN,JUL *", "2024-02-01T00:00:00", "2024-07-01T00:00:00")]
    [InlineData("0 0 0 1 jan,jul *", "2024-02-01T00:00:00", "2024-07-01T00:00:00")]
    [InlineData("0 0 0 31 * *", "2024-04-01T00:00:00", "2024-05-31T00:00:00")]
    [InlineData("0 0 0 29 2 *", "2024-03-01T00:00:00", "2028-02-29T00:00:00")]
    [InlineData("0 0 0 ? * 2", "2024-01-02T00:00:00", "2024-01-08T00:00:00")]
    [InlineData("0 */5 * * * * *", "2024-01-01T00:01:00", "2024-01-01T00:05:00")]
    [InlineData("0 0 0 1 1 * 2030", "2024-06-01T00:00:00", "2030-01-01T00:00:00")]
    [InlineData("0 0 0 1 1 * 2025-2027/2", "2025-06-01T00:00:00", "2027-01-01T00:00:00")]
    public void Six_and_seven_field_schedules_fire_at_the_right_time(string cron, string after, string expected)
    {
        var schedule = Cron(cron);
        Assert.False(schedule.IsUnixFiveField);
        Assert.Equal(Utc(expected), schedule.NextAfter(Utc(after)));
    }

    [Theory]
    [InlineData("30 2 * * *", "2024-01-01T00:00:00", "2024-01-01T02:30:00")]
    [InlineData("*/10 * * * *", "2024-01-01T00:00:01", "2024-01-01T00:10:00")]
    [InlineData("0 9 * * MON-FRI", "2024-01-06T00:00:00", "2024-01-08T09:00:00")]
    [InlineData("0 0 13 * *", "2024-01-14T00:00:00", "2024-02-13T00:00:00")]
    public void Five_field_unix_schedules_fire_at_minute_boundaries(string cron, string after, string expected)
    {
        var schedule = Cron(cron);
        Assert.True(schedule.IsUnixFiveField);
        Assert.Equal(5, schedule.FieldCount);
        Assert.Equal(Utc(expected), schedule.NextAfter(Utc(after)));
    }

    // 2024-01-01 is a Monday.
    [Theory]
    [InlineData("0 12 * * 0", "2024-01-07T12:00:00")] // Sunday
    [InlineData("0 12 * * 7", "2024-01-07T12:00:00")] // Sunday again
    [InlineData("0 12 * * SUN", "2024-01-07T12:00:00")]
    [InlineData("0 12 * * 1", "2024-01-01T12:00:00")] // Monday
    [InlineData("0 12 * * 6", "2024-01-06T12:00:00")] // Saturday
    public void Five_field_day_of_week_counts_sunday_as_0_and_7(string cron, string expected)
    {
        Assert.Equal(Utc(expected), Cron(cron).NextAfter(Utc("2024-01-01T00:00:00")));
    }

    [Theory]
    [InlineData("0 0 12 * * 1", "2024-01-07T12:00:00")] // 1 = Sunday (Rust cron crate)
    [InlineData("0 0 12 * * SUN", "2024-01-07T12:00:00")]
    [InlineData("0 0 12 * * 2", "2024-01-01T12:00:00")] // Monday
    [InlineData("0 0 12 * * 7", "2024-01-06T12:00:00")] // Saturday
    [InlineData("0 0 12 * * SAT", "2024-01-06T12:00:00")]
    public void Six_field_day_of_week_counts_sunday_as_1(string cron, string expected)
    {
        Assert.Equal(Utc(expected), Cron(cron).NextAfter(Utc("2024-01-01T00:00:00")));
    }

    [Fact]
    public void Five_field_day_of_month_and_day_of_week_combine_with_or()
    {
        // "on the 13th, or on any Friday" as in Vixie cron.
        var schedule = Cron("0 0 13 * 5");
        var fired = new List<DateTimeOffset>();
        var t = Utc("2024-01-01T00:00:00");
        for (var i = 0; i < 4; i++)
        {
            t = schedule.NextAfter(t)!.Value;
            fired.Add(t);
        }

        Assert.Equal([Utc("2024-01-05T00:00:00"), Utc("2024-01-12T00:00:00"), Utc("2024-01-13T00:00:00"), Utc("2024-01-19T00:00:00")], fired);
    }

    [Fact]
    public void Six_field_day_of_month_and_day_of_week_must_both_match()
    {
        // Friday the 13th (6 = Friday when 1 = Sunday).
        Assert.Equal(Utc("2024-09-13T00:00:00"), Cron("0 0 0 13 * 6").NextAfter(Utc("2024-01-01T00:00:00")));
    }

    [Fact]
    public void Next_run_is_strictly_after_the_given_time()
    {
        var schedule = Cron("0 30 2 * * *");
        Assert.Equal(Utc("2024-01-01T02:30:00"), schedule.NextAfter(Utc("2024-01-01T02:29:59.900")));
        Assert.Equal(Utc("2024-01-02T02:30:00"), schedule.NextAfter(Utc("2024-01-01T02:30:00.100")));
    }

    [Fact]
    public void Next_run_is_computed_in_utc_whatever_the_offset_given()
    {
        var after = new DateTimeOffset(2024, 1, 1, 3, 0, 0, TimeSpan.FromHours(2)); // 01:00 UTC
        Assert.Equal(Utc("2024-01-01T02:30:00"), Cron("0 30 2 * * *").NextAfter(after));
    }

    [Theory]
    [InlineData("0 0 0 30 2 *")]
    [InlineData("0 0 0 1 1 * 2020")]
    public void Schedules_that_never_fire_again_give_no_next_run(string cron)
    {
        Assert.Null(Cron(cron).NextAfter(Utc("2024-01-01T00:00:00")));
    }

    [Fact]
    public void The_last_run_of_a_year_field_is_the_last()
    {
        var schedule = Cron("0 0 0 1 1 * 2030");
        Assert.Null(schedule.NextAfter(Utc("2030-01-01T00:00:00")));
    }

    [Theory]
    [InlineData("0 3 * *", "expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]) or 5 Unix fields, found 4")]
    [InlineData("0 0 0 * * * * *", "found 8")]
    [InlineData("", "found 0")]
    [InlineData("61 * * * * *", "second '61' is outside 0-59")]
    [InlineData("0 60 * * * *", "minute '60' is outside 0-59")]
    [InlineData("0 0 24 * * *", "hour '24' is outside 0-23")]
    [InlineData("0 0 0 0 * *", "day of month '0' is outside 1-31")]
    [InlineData("0 0 0 32 * *", "day of month '32' is outside 1-31")]
    [InlineData("0 0 0 * 13 *", "month '13' is outside 1-12")]
    [InlineData("0 0 0 * FOO *", "'FOO' is not a valid month")]
    [InlineData("0 0 0 * * XYZ", "'XYZ' is not a valid day of week")]
    [InlineData("0 0 0 * * 0", "day of week '0' is outside 1-7")]
    [InlineData("0 0 * * 8", "day of week '8' is outside 0-7")]
    [InlineData("*/0 * * * * *", "invalid step in the second field '*/0'")]
    [InlineData("*/x * * * * *", "invalid step in the second field '*/x'")]
    [InlineData("5-3 * * * * *", "second '5-3' is outside 0-59")]
    [InlineData("0 0 0 * * * 1969", "year '1969' is outside 1970-2099")]
    [InlineData("0 0 0 * * * 2100", "year '2100' is outside 1970-2099")]
    [InlineData("1,,2 * * * * *", "empty list item in the second field '1,,2'")]
    [InlineData("a * * * * *", "'a' is not a valid second")]
    [InlineData("0 -5 * * * *", "'-5' is not a valid minute")]
    public void Rejects_invalid_fields_naming_the_field(string cron, string reason)
    {
        Assert.False(CronSchedule.TryParse(cron, out _, out var error));
        Assert.StartsWith($"invalid cron schedule '{cron}': ", error);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("/5 * * * * *")]
    [InlineData("0 /5 * * * *")]
    [InlineData("1-/5 * * * * *")]
    [InlineData("-/5 * * * * *")]
    [InlineData("/ * * * * *")]
    public void Rejects_a_step_without_a_range(string cron)
    {
        Assert.False(CronSchedule.TryParse(cron, out _, out var error));
        Assert.StartsWith($"invalid cron schedule '{cron}': ", error);
    }

    [Fact]
    public void A_missing_range_before_a_step_is_explained()
    {
        Assert.False(CronSchedule.TryParse("0 /5 * * * *", out _, out var error));
        Assert.Equal("invalid cron schedule '0 /5 * * * *': '/5' needs a value, a range or '*' before '/' in the minute field", error);
    }

    [Theory]
    [InlineData("1/2147483647 * * * * *")]
    [InlineData("59/2147483647 * * * * *")]
    [InlineData("0 0 0 * * * 2099/2147483647")]
    public void A_huge_step_only_fires_at_the_start_of_the_range(string cron)
    {
        var schedule = Cron(cron);
        var first = schedule.NextAfter(Utc("2024-01-01T00:00:00"))!.Value;
        var second = schedule.NextAfter(first)!.Value;
        Assert.Equal(first.Second, second.Second);
        Assert.Equal(first.Year == 2099 ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(1), second - first);
    }

    [Fact]
    public void The_text_is_kept_as_written()
    {
        Assert.Equal("0 30 2 * * *", Cron("  0 30 2 * * *  ").ToSpecString());
    }

    [Fact]
    public void Invalid_schedule_in_a_spec_is_an_error_at_the_value()
    {
        var yaml = OneService("rtype: cron\nschedule: \"0 3 * *\"");
        var error = SingleError(Load(yaml));
        Assert.Equal("services.web.schedule", error.Path);
        Assert.StartsWith("'services.web.schedule': invalid cron schedule '0 3 * *': expected 6 or 7 fields", error.Message);
        AssertAt(error, yaml, "\"0 3");
    }
}
