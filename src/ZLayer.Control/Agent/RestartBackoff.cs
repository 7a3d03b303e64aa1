namespace ZLayer.Control.Agent;

/// <summary>
/// Delay before restarting a replica that exited or failed: 1 s doubling to 60 s. A replica that
/// ran for <see cref="ResetAfter"/> counts as recovered and starts again from 1 s. From
/// <see cref="CrashLoopThreshold"/> consecutive failures on it is reported as crash-looping.
/// </summary>
public static class RestartBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(30);
    public const int CrashLoopThreshold = 5;

    public static TimeSpan Delay(int consecutiveFailures)
    {
        if (consecutiveFailures <= 1)
        {
            return Initial;
        }

        var exponent = Math.Min(consecutiveFailures - 1, 16);
        var delay = TimeSpan.FromTicks(Initial.Ticks << exponent);
        return delay > Max ? Max : delay;
    }
}
