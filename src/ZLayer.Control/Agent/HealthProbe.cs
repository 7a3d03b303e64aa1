using System.Net.Sockets;
using ZLayer.Runtime;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Agent;

/// <summary>
/// One health check of one replica. Ports written in the spec are target ports; a replica whose
/// runtime maps them elsewhere (host processes get their own ports) is probed on its real port.
/// </summary>
public sealed class HealthProbe(IContainerRuntime runtime, ReplicaHandle handle, ServiceSpec service, string host, IReadOnlyDictionary<string, int> ports)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// The check that applies: the spec's, else TCP on the first endpoint's target port (SPEC.md
    /// Part A: not 8080 as upstream, which probes a Postgres-only service on the wrong port),
    /// else none (healthy while running).
    /// </summary>
    public static HealthCheckSpec? EffectiveCheck(ServiceSpec service) =>
        service.Health?.Check ?? (service.Endpoints.Count > 0 ? new HealthCheckSpec { Type = HealthCheckType.Tcp, Port = service.Endpoints[0].EffectiveTargetPort } : null);

    public async Task<(bool Healthy, string Detail)> CheckAsync(HealthCheckSpec check, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            return check.Type switch
            {
                HealthCheckType.Tcp => await TcpAsync(check.Port ?? 0, deadline.Token),
                HealthCheckType.Http => await HttpAsync(check.Url!, check.ExpectStatus, deadline.Token),
                _ => await CommandAsync(check.Command!, timeout, deadline.Token),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, $"timed out after {timeout.TotalSeconds:0.#}s");
        }
    }

    private async Task<(bool, string)> TcpAsync(ushort port, CancellationToken ct)
    {
        var target = MapPort(port == 0 ? FirstTargetPort() : port);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, target, ct);
            return (true, $"tcp {host}:{target} open");
        }
        catch (SocketException ex)
        {
            return (false, $"tcp {host}:{target}: {ex.Message}");
        }
    }

    private async Task<(bool, string)> HttpAsync(string url, ushort? expect, CancellationToken ct)
    {
        var uri = ResolveUrl(url);
        try
        {
            using var response = await Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            var ok = status == (expect ?? 200);
            return (ok, $"GET {uri} -> {status}");
        }
        catch (HttpRequestException ex)
        {
            return (false, $"GET {uri}: {ex.Message}");
        }
    }

    private async Task<(bool, string)> CommandAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        var result = await runtime.ExecAsync(handle, ["/bin/sh", "-c", command], new ExecOptions(timeout), ct);
        var output = (result.Stdout + result.Stderr).Trim();
        return (result.ExitCode == 0, $"`{command}` exited {result.ExitCode}{(output.Length > 0 ? ": " + Truncate(output) : "")}");
    }

    /// <summary>
    /// <c>localhost</c> and <c>127.0.0.1</c> mean this replica; a path alone (compatibility form)
    /// means the first http endpoint; a target port is mapped to the replica's real port.
    /// </summary>
    public Uri ResolveUrl(string url)
    {
        if (url.StartsWith('/'))
        {
            var endpoint = service.Endpoints.FirstOrDefault(e => e.IsHttpLike) ?? service.Endpoints.First();
            return new Uri($"http://{host}:{MapPort(endpoint.EffectiveTargetPort)}{url}");
        }

        var builder = new UriBuilder(url);
        if (builder.Host is "localhost" or "127.0.0.1")
        {
            builder.Host = host;
            builder.Port = MapPort((ushort)builder.Port);
        }

        return builder.Uri;
    }

    private ushort FirstTargetPort() =>
        service.Endpoints.FirstOrDefault(e => e.IsHttpLike)?.EffectiveTargetPort ?? service.Endpoints.FirstOrDefault()?.EffectiveTargetPort ?? 8080;

    private int MapPort(ushort targetPort)
    {
        foreach (var endpoint in service.Endpoints)
        {
            if (endpoint.EffectiveTargetPort == targetPort && ports.TryGetValue(endpoint.Name, out var real))
            {
                return real;
            }
        }

        return targetPort;
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..197] + "...";
}
