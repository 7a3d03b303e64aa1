using System.Diagnostics;

namespace ZLayer.Bench;

/// <summary>
/// A constant-rate HTTP load (open loop, as wrk2 does): request i is due at start + i/rate whether
/// or not earlier ones have answered, and its latency counts from when it was due. A closed loop
/// (wrk) waits for answers before sending more, so a slow server also slows the load and its worst
/// latencies vanish from the figures (coordinated omission).
/// </summary>
public static class OpenLoopLoad
{
    public sealed record Result(int Sent, int Succeeded, int Failed, double P50Ms, double P99Ms, double MaxMs, double AchievedRate);

    public static async Task<Result> RunAsync(HttpClient http, Func<HttpRequestMessage> request, int rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var failed = 0;
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var ahead = due - clock.Elapsed;
            if (ahead > TimeSpan.FromMilliseconds(1))
            {
                // Task.Delay wakes up to a millisecond late; being late only delays sending, and the
                // latency still counts from the due time, so the figures are not flattered.
                await Task.Delay(ahead);
            }

            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    using var message = request();
                    using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }

                latencies[index] = (clock.Elapsed - due).TotalMilliseconds;
            }));
        }

        var sending = clock.Elapsed;
        await Task.WhenAll(inFlight);
        Array.Sort(latencies);
        return new Result(
            total,
            total - failed,
            failed,
            latencies[total / 2],
            latencies[Math.Min(total - 1, (int)Math.Ceiling(total * 0.99) - 1)],
            latencies[^1],
            total / sending.TotalSeconds);
    }
}
