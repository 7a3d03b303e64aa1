using System.Collections.Concurrent;
using ZLayer.Control.Model;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;

namespace ZLayer.Control.State;

/// <summary>
/// Parses stored deployment specs, once per generation: the loops read them on every pass, and a
/// stored spec was validated when it was deployed, so parsing again cannot fail but would cost.
/// </summary>
public static class DeploymentSpecs
{
    private static readonly ConcurrentDictionary<(string Name, long Generation), DeploymentSpec> Cache = new();

    public static DeploymentSpec Parse(DeploymentRecord record)
    {
        if (Cache.TryGetValue((record.Name, record.Generation), out var cached))
        {
            return cached;
        }

        var result = SpecLoader.LoadText(record.Spec, $"deployment {record.Name}", new LoadOptions { Format = SpecFormat.ZLayer });
        var spec = result.Spec ?? throw new InvalidDataException($"stored spec of deployment '{record.Name}' no longer loads: {result.Diagnostics.FirstOrDefault()}");
        foreach (var stale in Cache.Keys.Where(k => k.Name == record.Name && k.Generation < record.Generation))
        {
            Cache.TryRemove(stale, out _);
        }

        Cache[(record.Name, record.Generation)] = spec;
        return spec;
    }
}
