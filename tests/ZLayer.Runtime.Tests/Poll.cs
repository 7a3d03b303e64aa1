using System.Diagnostics;

namespace ZLayer.Runtime.Tests;

/// <summary>Waits for conditions with a deadline instead of sleeping for a guessed time.</summary>
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
            await Task.Delay(20);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Collects log lines until <paramref name="done"/> holds for what was collected, or fails at the deadline.</summary>
    public static async Task<List<LogLine>> LogsUntilAsync(IContainerRuntime runtime, ReplicaHandle handle, Func<List<LogLine>, bool> done, string what, LogOptions? options = null)
    {
        var lines = new List<LogLine>();
        await UntilAsync(async () =>
        {
            lines = [];
            await foreach (var line in runtime.LogsAsync(handle, options ?? new LogOptions()))
            {
                lines.Add(line);
            }
            return done(lines);
        }, what);
        return lines;
    }
}
