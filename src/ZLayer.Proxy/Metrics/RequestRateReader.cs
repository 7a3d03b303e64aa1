using System.Diagnostics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Metrics;

/// <summary>
/// Requests per second per backend for the autoscaler: each reading is the request count since
/// the previous reading divided by the time between them. A backend's first reading is 0 and
/// starts its interval. Thread-safe; one reader per consumer.
/// </summary>
public sealed class RequestRateReader(Func<RouteTable> table)
{
    private readonly Lock gate = new();
    private Dictionary<string, (long Count, long Timestamp)> last = [];

    public IReadOnlyList<BackendRequestRate> Read()
    {
        lock (gate)
        {
            var now = Stopwatch.GetTimestamp();
            var next = new Dictionary<string, (long, long)>();
            var rates = new List<BackendRequestRate>();
            foreach (var (input, backend) in table().Backends())
            {
                var key = $"{input.Owner}/{input.Endpoint.Name}/{backend.Address}";
                var count = backend.TotalRequests;
                var (prevCount, prevTime) = last.TryGetValue(key, out var p) ? p : (0L, now);
                var seconds = Stopwatch.GetElapsedTime(prevTime, now).TotalSeconds;
                rates.Add(new BackendRequestRate(input.Deployment, input.Service, input.Endpoint.Name, backend.Address.ReplicaId,
                    seconds > 0 ? (count - prevCount) / seconds : 0, backend.ActiveRequests));
                next[key] = (count, now);
            }

            last = next;
            return rates;
        }
    }
}
