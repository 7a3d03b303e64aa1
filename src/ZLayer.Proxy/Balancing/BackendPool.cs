using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Balancing;

/// <summary>
/// The backends of one endpoint and the policy that picks among them. Draining backends are never
/// picked; ejected ones only when every other candidate is ejected too, so a burst of failures
/// cannot turn a recovering service into a hard outage.
/// </summary>
public sealed class BackendPool(IReadOnlyList<BackendState> backends, LoadBalancePolicy policy)
{
    private int next = -1;

    public IReadOnlyList<BackendState> Backends { get; } = backends;

    public LoadBalancePolicy Policy { get; } = policy;

    /// <summary>Whether any backend could take a new request (ignoring ejection).</summary>
    public bool HasCandidates => Backends.Any(b => !b.Address.Draining);

    /// <summary>A backend for a new request, skipping those in <paramref name="tried"/>; null when none is left.</summary>
    public BackendState? Pick(IReadOnlyCollection<BackendState>? tried = null)
    {
        var now = Environment.TickCount64;
        return Pick(tried, now, skipEjected: true) ?? Pick(tried, now, skipEjected: false);
    }

    private BackendState? Pick(IReadOnlyCollection<BackendState>? tried, long now, bool skipEjected)
    {
        var count = Backends.Count;
        if (count == 0)
        {
            return null;
        }

        bool Eligible(BackendState b) => !b.Address.Draining && !(skipEjected && b.IsEjected(now)) && (tried is null || !tried.Contains(b));

        var start = (int)((uint)Interlocked.Increment(ref next) % (uint)count);
        switch (Policy)
        {
            case LoadBalancePolicy.LeastRequests:
                {
                    BackendState? best = null;
                    for (var i = 0; i < count; i++)
                    {
                        var b = Backends[(start + i) % count];
                        if (Eligible(b) && (best is null || b.ActiveRequests < best.ActiveRequests))
                        {
                            best = b;
                        }
                    }

                    return best;
                }

            case LoadBalancePolicy.PowerOfTwoChoices:
                {
                    var first = Backends[Random.Shared.Next(count)];
                    var second = Backends[Random.Shared.Next(count)];
                    if (Eligible(first) && Eligible(second))
                    {
                        return second.ActiveRequests < first.ActiveRequests ? second : first;
                    }

                    // One or both random picks unusable: fall back to a scan so a usable backend is always found.
                    goto default;
                }

            default:
                for (var i = 0; i < count; i++)
                {
                    var b = Backends[(start + i) % count];
                    if (Eligible(b))
                    {
                        return b;
                    }
                }

                return null;
        }
    }
}
