using System.Text.Json.Nodes;
using ZLayer.Networking.Host;

namespace ZLayer.Networking.Cni;

/// <summary>
/// ZLayer's container network: replicas' namespaces joined to one bridge through CNI plugins
/// (bridge with host-local IPAM, portmap, and loopback for <c>lo</c>), speaking CNI spec
/// <see cref="SpecVersion"/>. ADD results are cached under the data directory so DEL and CHECK
/// get their prevResult after a daemon restart.
/// </summary>
/// <remarks>
/// Operations are serialized per instance. The specification allows parallel operations for
/// different containers, but plugin 1.1.1's bridge and portmap create the shared bridge and
/// iptables chains check-then-create, and two first attaches racing is a failure for no gain:
/// an attach takes tens of milliseconds.
/// </remarks>
public sealed class CniNetwork
{
    /// <summary>The CNI specification version of every configuration we send and result we accept.</summary>
    public const string SpecVersion = "1.0.0";

    private const string LoopbackInterface = "lo";

    private readonly NetworkConfigList _bridge;
    private readonly NetworkConfigList _loopback;
    private readonly ConflistExecutor _executor;
    private readonly AttachmentCache _cache;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public CniNetwork(CniOptions options)
    {
        options.Validate();
        Options = options;
        _bridge = ZLayerNetworkConfig.Bridge(options);
        _loopback = ZLayerNetworkConfig.Loopback(options);
        _executor = new ConflistExecutor(new PluginRunner(options.PluginDirectories, options.PluginTimeout));
        _cache = new AttachmentCache(Path.Combine(options.DataDirectory, "results"));
    }

    public CniOptions Options { get; }

    /// <summary>Where cached ADD results are kept, one file per container and interface.</summary>
    public string CacheDirectory => _cache.Directory;

    /// <summary>Where host-local keeps its address reservations, one file per address under a directory named after the network.</summary>
    public string IpamDirectory => ZLayerNetworkConfig.IpamDirectory(Options);

    /// <summary>
    /// Brings up <c>lo</c> in the namespace and joins it to the network: a veth pair on the bridge,
    /// an address from the subnet, a default route through the bridge, and the published ports.
    /// Nothing is left behind when it fails.
    /// </summary>
    public async Task<NetworkAttachment> AttachAsync(string containerId, string netnsPath, IReadOnlyList<PortMapping> ports, CancellationToken cancellationToken = default)
    {
        CniNames.CheckIdentifier(containerId, "container id");
        CheckNetnsPath(netnsPath);
        if (!File.Exists(netnsPath))
        {
            throw new CniConfigurationException($"cannot attach container {containerId}: network namespace {netnsPath} does not exist");
        }
        var capabilityArgs = new JsonObject { [ZLayerNetworkConfig.PortMappingsCapability] = PortMappingJson.ToCapability(ports) };

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // A second ADD without a DEL is forbidden by the specification; it would also leak the first address.
            if (_cache.Read(_bridge.Name, containerId, Options.InterfaceName) is not null)
            {
                throw new CniConfigurationException(
                    $"container {containerId} is already attached to network {_bridge.Name}; detach it before attaching again");
            }
            // A loopback record alone is what an attach interrupted by a crash leaves; undo it so ADD is not repeated without DEL.
            if (_cache.Read(_loopback.Name, containerId, LoopbackInterface) is { } stale)
            {
                await DelAsync(_loopback, LoopbackInterface, containerId, stale.NetnsPath, File.Exists(stale.NetnsPath) ? stale.NetnsPath : null, cancellationToken);
            }
            await AddAsync(_loopback, LoopbackInterface, containerId, netnsPath, new JsonObject(), cancellationToken);
            try
            {
                var record = await AddAsync(_bridge, Options.InterfaceName, containerId, netnsPath, capabilityArgs, cancellationToken);
                return AttachmentReader.Read(record);
            }
            catch (Exception failure) when (failure is CniException or OperationCanceledException)
            {
                var rollback = await UndoLoopbackAsync(containerId, netnsPath);
                if (failure is CniException cni && rollback is not null)
                {
                    cni.RollbackFailure ??= rollback;
                }
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Takes the container off the network: its veth, address reservation, port forwards and
    /// masquerade rules go. Idempotent, and works when the namespace is already gone (CNI_NETNS is
    /// then left out, as the specification allows) and after a daemon restart (the ADD result is
    /// read from the cache). Without a cached result the plugins still release what they keep by
    /// container id. The namespace itself is the caller's to delete.
    /// </summary>
    public async Task DetachAsync(string containerId, string netnsPath, CancellationToken cancellationToken = default)
    {
        CniNames.CheckIdentifier(containerId, "container id");
        CheckNetnsPath(netnsPath);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var netns = File.Exists(netnsPath) ? netnsPath : null;
            await DelAsync(_bridge, Options.InterfaceName, containerId, netnsPath, netns, cancellationToken);
            try
            {
                await LeftoverRuleSweep.RemoveAsync(_bridge.Name, containerId, Options.PluginTimeout, cancellationToken);
            }
            catch (HostCommandException e)
            {
                throw new CniException($"cannot remove the nat rules left for container {containerId} on network {_bridge.Name}: {e.Message}", containerId: containerId, inner: e);
            }
            await DelAsync(_loopback, LoopbackInterface, containerId, netnsPath, netns, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Asks every plugin whether the container's networking is still as its ADD left it (interface,
    /// address, routes, reservation, rules); throws the first plugin's error.
    /// </summary>
    public async Task CheckAsync(string containerId, string netnsPath, CancellationToken cancellationToken = default)
    {
        CniNames.CheckIdentifier(containerId, "container id");
        CheckNetnsPath(netnsPath);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var (list, interfaceName) in new[] { (_loopback, LoopbackInterface), (_bridge, Options.InterfaceName) })
            {
                var cached = _cache.Read(list.Name, containerId, interfaceName)
                    ?? throw new CniNotAttachedException(
                        $"container {containerId} has no ADD on record for network {list.Name} (interface {interfaceName}), so it cannot be checked",
                        containerId);
                CheckSameNamespace(cached, netnsPath);
                var invocation = new PluginInvocation(CniCommand.Check, cached.Config.Name, containerId, netnsPath, interfaceName);
                await _executor.CheckAsync(cached.Config, invocation, cached.CapabilityArgs, cached.Result, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The container's attachment as its cached ADD result records it, or null if it is not attached.</summary>
    public NetworkAttachment? FindAttachment(string containerId)
    {
        CniNames.CheckIdentifier(containerId, "container id");
        return _cache.Read(_bridge.Name, containerId, Options.InterfaceName) is { } record ? Describe(record) : null;
    }

    /// <summary>Every attachment on record, for a daemon to reconcile against the replicas it knows after a restart.</summary>
    public IReadOnlyList<NetworkAttachment> ListAttachments() =>
        _cache.List(_bridge.Name).Where(r => r.InterfaceName == Options.InterfaceName).Select(Describe).ToList();

    private async Task<CachedAttachment> AddAsync(NetworkConfigList list, string interfaceName, string containerId, string netnsPath, JsonObject capabilityArgs, CancellationToken cancellationToken)
    {
        var invocation = new PluginInvocation(CniCommand.Add, list.Name, containerId, netnsPath, interfaceName);
        var result = await _executor.AddAsync(list, invocation, capabilityArgs, cancellationToken);
        var record = new CachedAttachment(list.Name, containerId, interfaceName, netnsPath, list, capabilityArgs, result);
        try
        {
            if (interfaceName != LoopbackInterface)
            {
                try
                {
                    AttachmentReader.Read(record);
                }
                catch (FormatException e)
                {
                    var last = NetworkConfigList.PluginType(list.Plugins[^1], list.Name);
                    throw new CniInvalidOutputException($"{invocation.Describe(last)} gave a result ZLayer cannot use: {e.Message}", last, CniCommand.Add, containerId);
                }
            }
            _cache.Write(record);
            return record;
        }
        catch (CniException failure)
        {
            // Without a usable record a later DEL would lack prevResult: undo now, while the result is at hand.
            try
            {
                await _executor.DelAsync(list, invocation with { Command = CniCommand.Del }, capabilityArgs, result, CancellationToken.None);
            }
            catch (CniException rollback)
            {
                failure.RollbackFailure = rollback;
            }
            throw;
        }
    }

    private async Task DelAsync(NetworkConfigList current, string interfaceName, string containerId, string netnsPath, string? netns, CancellationToken cancellationToken)
    {
        var cached = _cache.Read(current.Name, containerId, interfaceName);
        if (cached is not null)
        {
            CheckSameNamespace(cached, netnsPath);
        }
        // The list as it was at ADD: the options (subnet, bridge) may have changed since.
        var list = cached?.Config ?? current;
        var invocation = new PluginInvocation(CniCommand.Del, list.Name, containerId, netns, interfaceName);
        await _executor.DelAsync(list, invocation, cached?.CapabilityArgs ?? new JsonObject(), cached?.Result, cancellationToken);
        _cache.Delete(current.Name, containerId, interfaceName);
    }

    private async Task<CniException?> UndoLoopbackAsync(string containerId, string netnsPath)
    {
        try
        {
            await DelAsync(_loopback, LoopbackInterface, containerId, netnsPath, netnsPath, CancellationToken.None);
            return null;
        }
        catch (CniException e)
        {
            return e;
        }
    }

    private NetworkAttachment Describe(CachedAttachment record)
    {
        try
        {
            return AttachmentReader.Read(record);
        }
        catch (FormatException e)
        {
            var path = _cache.PathOf(record.Network, record.ContainerId, record.InterfaceName);
            throw new CniCacheException($"cached CNI result {path} does not describe an attachment: {e.Message}", path, record.ContainerId);
        }
    }

    private static void CheckNetnsPath(string netnsPath)
    {
        if (string.IsNullOrEmpty(netnsPath) || !Path.IsPathRooted(netnsPath))
        {
            throw new CniConfigurationException($"network namespace path '{netnsPath}' must be absolute");
        }
    }

    private static void CheckSameNamespace(CachedAttachment cached, string netnsPath)
    {
        // Running a plugin on another namespace could remove another replica's interface of the same name.
        if (cached.NetnsPath != netnsPath)
        {
            throw new CniConfigurationException(
                $"container {cached.ContainerId} was attached to network {cached.Network} in namespace {cached.NetnsPath}, not {netnsPath}");
        }
    }
}
