using System.Collections.Concurrent;
using ZLayer.Control.Model;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;

namespace ZLayer.Control.State;

/// <summary>
/// Parses stored deployment specs, once per generation: the loops read them on every pass, and a
/// stored spec was validated when it was deployed, so parsing again cannot fail but would cost.
/// A cached entry is used only for the same text: generations restart at 1 when a deployment is
/// removed and deployed again, and several stores (tests, a CLI beside a daemon) share this cache.
/// </summary>
public static class DeploymentSpecs
{
    private static readonly ConcurrentDictionary<(string Name, long Generation), (string Text, DeploymentSpec Spec)> Cache = new();

    public static DeploymentSpec Parse(DeploymentRecord record)
    {
        if (Cache.TryGetValue((record.Name, record.Generation), out var cached) && string.Equals(cached.Text, record.Spec, StringComparison.Ordinal))
        {
            return cached.Spec;
        }

        var result = SpecLoader.LoadText(record.Spec, $"deployment {record.Name}", new LoadOptions { Format = SpecFormat.ZLayer });
        var spec = result.Spec ?? throw new InvalidDataException($"stored spec of deployment '{record.Name}' no longer loads: {result.Diagnostics.FirstOrDefault()}");
        foreach (var stale in Cache.Keys.Where(k => k.Name == record.Name && k.Generation < record.Generation))
        {
            Cache.TryRemove(stale, out _);
        }

        Cache[(record.Name, record.Generation)] = (record.Spec, spec);
        return spec;
    }
}
