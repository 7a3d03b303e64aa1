using System.Runtime.Versioning;
using ZLayer.Control.State;
using ZLayer.Networking.Dns;
using ZLayer.Proxy;

namespace ZLayer.Control.Discovery;

/// <summary>
/// Keeps the node proxy's route table and the DNS server's directory in step with the store:
/// every change of a deployment or a replica status (watched, gathered for a moment so a burst of
/// writes makes one pass) rebuilds both from the whole state, level-triggered like the other
/// loops, with a periodic pass that repairs anything a missed notification left behind. Either
/// side may be absent (the daemon could not bind it, or it was turned off).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ServiceDiscovery(StateRepository repository, NodeProxy? proxy, DnsServer? dns, Action<string> warn)
{
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long changes are gathered before a pass: a replica start writes its status several times.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

    private ExternalHealth? _externals;
    private string? _lastConflicts;
    private string? _lastApplyError;

    public async Task RunAsync(CancellationToken ct)
    {
        using var loop = new ReconcileLoop(
            "service-discovery",
            repository.Store,
            key => key.StartsWith(StateKeys.Deployments, StringComparison.Ordinal) || key.StartsWith(StateKeys.Status, StringComparison.Ordinal),
            ResyncInterval,
            Debounce);
        await using var externals = new ExternalHealth(loop.Wake);
        _externals = externals;
        try
        {
            await loop.RunAsync(ReconcileAsync, ct);
        }
        finally
        {
            _externals = null;
        }
    }

    /// <summary>One pass: build the routes and the directory from the store and apply them.</summary>
    public async Task ReconcileAsync(CancellationToken ct = default)
    {
        var deployments = (await repository.DeploymentsAsync(ct)).Select(d => (d.Name, DeploymentSpecs.Parse(d))).ToList();
        var statuses = await repository.StatusesAsync(null, ct);
        if (dns is not null)
        {
            dns.Directory = DiscoveryInputs.Directory(deployments, statuses);
        }

        if (proxy is not null)
        {
            if (_externals is not null)
            {
                await _externals.TrackAsync(deployments);
            }

            var built = proxy.Build(DiscoveryInputs.Routes(deployments, statuses, _externals is null ? null : _externals.IsServing));
            if (built.Table is { } table)
            {
                _lastConflicts = null;
                await ApplyAsync(proxy, table, ct);
            }
            else
            {
                // Deploys are refused when they conflict, so this is a store written some other
                // way (an older daemon); the running table stays, and the reason is said once.
                var conflicts = string.Join("; ", built.Conflicts.Select(c => c.Message));
                if (conflicts != _lastConflicts)
                {
                    _lastConflicts = conflicts;
                    warn($"proxy routes not updated: {conflicts}");
                }
            }
        }
    }

    /// <summary>
    /// A port that cannot be bound (in use, privileged) is said once per distinct reason and tried
    /// again on the next pass; the other ports are served meanwhile.
    /// </summary>
    private async Task ApplyAsync(NodeProxy proxy, Proxy.Routing.RouteTable table, CancellationToken ct)
    {
        try
        {
            await proxy.ApplyAsync(table, ct);
            _lastApplyError = null;
        }
        catch (ListenerBindException e)
        {
            if (e.Message != _lastApplyError)
            {
                _lastApplyError = e.Message;
                warn($"proxy cannot serve every endpoint (tried again on each change and every {ResyncInterval.TotalSeconds:0} s): {e.Message}");
            }
        }
    }
}
