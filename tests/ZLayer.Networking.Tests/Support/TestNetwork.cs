using System.Net;
using ZLayer.Networking.Cni;
using ZLayer.Networking.Namespaces;

namespace ZLayer.Networking.Tests.Support;

/// <summary>
/// A network of the test's own: a unique bridge, subnet, network name and data directory, so tests
/// collide neither with each other nor with a real zlayer0. Disposing detaches every container the
/// test attached, deletes its namespaces and servers, the bridge and the data directory.
/// </summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    // Spread over 10.241.0.0/16 from a random start, so a leftover of a crashed run is not reused at once.
    private static int s_nextSubnet = Random.Shared.Next(0, 250);

    private readonly List<(string ContainerId, string NetnsPath)> _attached = [];
    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly List<NamespaceServer> _servers = [];
    private readonly NetworkNamespaces _netns = new();

    public TestNetwork(int prefixLength = 24, IReadOnlyList<string>? pluginDirectories = null, TimeSpan? pluginTimeout = null)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var octet = Interlocked.Increment(ref s_nextSubnet) % 250;
        DataDirectory = Path.Combine(Path.GetTempPath(), "zlayer-cni-" + id);
        Options = new CniOptions
        {
            DataDirectory = DataDirectory,
            NetworkName = "zt" + id,
            BridgeName = "zlt" + id,
            Subnet = new IPNetwork(IPAddress.Parse($"10.241.{octet}.0"), prefixLength),
            PluginDirectories = pluginDirectories ?? ["/usr/lib/cni"],
            PluginTimeout = pluginTimeout ?? TimeSpan.FromSeconds(30),
        };
        Network = new CniNetwork(Options);
    }

    public CniOptions Options { get; }

    public string DataDirectory { get; }

    public CniNetwork Network { get; }

    /// <summary>The bridge's address, which host-local gives out as every replica's gateway.</summary>
    public IPAddress Gateway
    {
        get
        {
            var bytes = Options.Subnet.BaseAddress.GetAddressBytes();
            bytes[3] += 1;
            return new IPAddress(bytes);
        }
    }

    public static string NewContainerId() => "c" + Guid.NewGuid().ToString("N")[..12];

    public async Task<NetworkNamespace> CreateNamespaceAsync()
    {
        var ns = await _netns.CreateAsync("t" + Guid.NewGuid().ToString("N")[..10]);
        _namespaces.Add(ns);
        return ns;
    }

    public Task DeleteNamespaceAsync(NetworkNamespace ns) => _netns.DeleteAsync(ns.ReplicaId);

    /// <summary>A fresh namespace attached to the network; the attachment is undone at disposal.</summary>
    public async Task<(NetworkNamespace Namespace, string ContainerId, NetworkAttachment Attachment)> AttachNewAsync(params PortMapping[] ports)
    {
        var ns = await CreateNamespaceAsync();
        var containerId = NewContainerId();
        var attachment = await AttachAsync(containerId, ns.Path, ports);
        return (ns, containerId, attachment);
    }

    public async Task<NetworkAttachment> AttachAsync(string containerId, string netnsPath, IReadOnlyList<PortMapping> ports)
    {
        // Recorded first: a failed attach must still be cleaned up if it left anything.
        _attached.Add((containerId, netnsPath));
        return await Network.AttachAsync(containerId, netnsPath, ports);
    }

    public async Task<NamespaceServer> StartServerAsync(NetworkNamespace ns, int port, string reply)
    {
        var server = await NamespaceServer.StartAsync(ns, port, reply);
        _servers.Add(server);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
        // A fresh instance with the real plugins: the test's own may have been given broken ones.
        var cleaner = new CniNetwork(new CniOptions
        {
            DataDirectory = Options.DataDirectory,
            NetworkName = Options.NetworkName,
            BridgeName = Options.BridgeName,
            Subnet = Options.Subnet,
        });
        foreach (var (containerId, netnsPath) in _attached)
        {
            try
            {
                await cleaner.DetachAsync(containerId, netnsPath);
            }
            catch (CniException)
            {
                // A test may have corrupted the cache on purpose: without it DEL still releases by container id.
                foreach (var file in Directory.Exists(cleaner.CacheDirectory) ? Directory.GetFiles(cleaner.CacheDirectory, $"*:{containerId}:*") : [])
                {
                    File.Delete(file);
                }
                await cleaner.DetachAsync(containerId, netnsPath);
            }
        }
        foreach (var ns in _namespaces)
        {
            await _netns.DeleteAsync(ns.ReplicaId);
        }
        await Shell.RunAsync("ip", "link", "delete", Options.BridgeName);
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
