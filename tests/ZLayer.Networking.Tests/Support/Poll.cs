using System.Diagnostics;

namespace ZLayer.Networking.Tests.Support;

/// <summary>Waits for a condition with a deadline instead of sleeping for a guessed time.</summary>
internal static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"timed out after {limit.TotalSeconds:0.#}s waiting for {what}");
            }
            await Task.Delay(50);
        }
    }
}
