using System.Collections.Concurrent;
using System.Net.Sockets;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Discovery;

/// <summary>
/// The health of externals' backends that have a <c>health</c> block, checked from the node as
/// the agent checks replicas: a backend serves after a passing check and stops after
/// <c>retries</c> failures in a row. <c>tcp</c> connects to the check's port (else the backend's)
/// on the backend's host. <c>http</c> with a path alone asks the backend's host and port; with a
/// <c>localhost</c> URL, the backend's host at the URL's port; any other URL as written. A
/// <c>command</c> has nowhere to run for a backend outside ZLayer and does not hold it back. A
/// backend whose state changes calls <c>changed</c>, so the routes follow at once. Externals
/// without a health block always serve.
/// </summary>
public sealed class ExternalHealth(Action changed) : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    private readonly ConcurrentDictionary<string, bool> _serving = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (HealthSpec Health, CancellationTokenSource Stop, Task Loop)> _probes = new(StringComparer.Ordinal);

    /// <summary>Whether a backend of an external takes traffic now.</summary>
    public bool IsServing(string deployment, string external, string backend) =>
        !_probes.ContainsKey(Key(deployment, external, backend)) || _serving.GetValueOrDefault(Key(deployment, external, backend));

    /// <summary>Starts probes for the externals' backends now deployed and stops those of backends gone or changed.</summary>
    public async Task TrackAsync(IReadOnlyList<(string Name, DeploymentSpec Spec)> deployments)
    {
        var wanted = new Dictionary<string, (HealthSpec Health, string Backend)>(StringComparer.Ordinal);
        foreach (var (name, spec) in deployments)
        {
            foreach (var (externalName, external) in spec.Externals)
            {
                if (external.Health is { } health)
                {
                    foreach (var backend in external.Backends)
                    {
                        wanted[Key(name, externalName, backend)] = (health, backend);
                    }
                }
            }
        }

        foreach (var (key, probe) in _probes.Where(p => !wanted.TryGetValue(p.Key, out var w) || !ReferenceEquals(w.Health, p.Value.Health)).ToList())
        {
            _probes.Remove(key);
            _serving.TryRemove(key, out _);
            await StopAsync(probe.Stop, probe.Loop);
        }

        foreach (var (key, (health, backend)) in wanted.Where(w => !_probes.ContainsKey(w.Key)))
        {
            var stop = new CancellationTokenSource();
            _probes[key] = (health, stop, Task.Run(() => ProbeAsync(key, backend, health, stop.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var probe in _probes.Values)
        {
            await StopAsync(probe.Stop, probe.Loop);
        }

        _probes.Clear();
    }

    private static string Key(string deployment, string external, string backend) => $"{deployment}/{external}/{backend}";

    private static async Task StopAsync(CancellationTokenSource stop, Task loop)
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }

    private async Task ProbeAsync(string key, string backend, HealthSpec health, CancellationToken ct)
    {
        var interval = (health.Interval ?? HealthSpec.DefaultInterval).Value;
        var timeout = (health.Timeout ?? HealthSpec.DefaultTimeout).Value;
        var retries = Math.Max(1, (int)health.Retries);
        var failures = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var passed = await CheckAsync(backend, health.Check, timeout, ct);
                failures = passed ? 0 : failures + 1;
                var serving = _serving.GetValueOrDefault(key);
                if (passed != serving && (passed || failures >= retries))
                {
                    _serving[key] = passed;
                    changed();
                }

                await Task.Delay(interval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task<bool> CheckAsync(string backend, HealthCheckSpec check, TimeSpan timeout, CancellationToken ct)
    {
        var colon = backend.LastIndexOf(':');
        var host = backend[..colon].Trim('[', ']');
        var port = int.Parse(backend[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            switch (check.Type)
            {
                case HealthCheckType.Tcp:
                    using (var client = new TcpClient())
                    {
                        await client.ConnectAsync(host, check.Port is { } p and > 0 ? p : port, deadline.Token);
                    }

                    return true;
                case HealthCheckType.Http:
                    var url = new UriBuilder(check.Url!.StartsWith('/') ? $"http://{backend}{check.Url}" : check.Url!);
                    if (url.Host is "localhost" or "127.0.0.1" || check.Url.StartsWith('/'))
                    {
                        url.Host = host;
                        url.Port = check.Url.StartsWith('/') ? port : url.Port;
                    }

                    using (var response = await Http.GetAsync(url.Uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token))
                    {
                        return (int)response.StatusCode == (check.ExpectStatus ?? 200);
                    }

                default:
                    return true;
            }
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
