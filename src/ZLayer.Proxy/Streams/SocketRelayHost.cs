using System.Net;
using System.Net.Sockets;
using ZLayer.Proxy.Hosting;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Streams;

/// <summary>
/// What the TCP and UDP relays share: their listening sockets, one loop per socket, a plan that
/// can be swapped while they run, and a stop that closes listeners and open flows alike.
/// </summary>
internal abstract class SocketRelayHost(PortPlan plan, IReadOnlyList<IPAddress> addresses, SocketType type) : IListenerHost
{
    private readonly List<Socket> listeners = [];
    private volatile PortPlan plan = plan;

    public PortPlan Plan
    {
        get => plan;
        set => plan = value;
    }

    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Background loops awaited on stop; add only from <see cref="StartAsync"/>.</summary>
    protected List<Task> Loops { get; } = [];

    public virtual Task StartAsync(CancellationToken token)
    {
        listeners.AddRange(ListenSockets.Open(addresses, plan.Key.Port, type));
        Loops.AddRange(listeners.Select(l => Task.Run(() => ServeAsync(l))));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Stopping.CancelAsync();
        listeners.ForEach(l => l.Dispose());
        CloseOpenFlows();
        await Task.WhenAll(Loops);
        Stopping.Dispose();
    }

    /// <summary>Accepts or receives on one listening socket until stopped.</summary>
    protected abstract Task ServeAsync(Socket listener);

    /// <summary>Closes the connections or sessions still open when the port goes away.</summary>
    protected abstract void CloseOpenFlows();
}
