namespace ZLayer.Control.Tests;

public sealed class FakeClockTests
{
    [Fact]
    public void TimeMovesOnlyWhenAdvanced()
    {
        var clock = new FakeClock();
        var start = clock.GetUtcNow();
        var stamp = clock.GetTimestamp();

        clock.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(start.AddSeconds(90), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(90), clock.GetElapsedTime(stamp));
    }

    [Fact]
    public void AdvanceFiresDueTimersInOrderAtTheirDueTime()
    {
        var clock = new FakeClock();
        var start = clock.GetUtcNow();
        var fired = new List<(string Name, TimeSpan At)>();
        using var periodic = clock.CreateTimer(_ => fired.Add(("periodic", clock.GetUtcNow() - start)), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        using var once = clock.CreateTimer(_ => fired.Add(("once", clock.GetUtcNow() - start)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var never = clock.CreateTimer(_ => fired.Add(("never", clock.GetUtcNow() - start)), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(
            [("periodic", TimeSpan.FromSeconds(2)), ("once", TimeSpan.FromSeconds(3)), ("periodic", TimeSpan.FromSeconds(4))],
            fired);
        Assert.Equal(start.AddSeconds(5), clock.GetUtcNow());
    }

    [Fact]
    public void ADisposedOrChangedTimerFollowsItsNewSchedule()
    {
        var clock = new FakeClock();
        var count = 0;
        var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, count);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, count);

        timer.Dispose();
        Assert.False(timer.Change(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, count);
        Assert.Equal(0, clock.ActiveTimers);
    }

    [Fact]
    public async Task DelaysOnTheClockCompleteWhenItPassesThem()
    {
        var clock = new FakeClock();
        var delay = Task.Delay(TimeSpan.FromHours(1), clock);

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
