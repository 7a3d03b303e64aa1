using System.Net;
using System.Net.Sockets;

namespace ZLayer.Control.Agent;

/// <summary>
/// Free loopback ports for host-process replicas (each replica of a service needs its own port,
/// since they share the host's network). The kernel picks a free ephemeral port; the ones handed
/// out are remembered so that two replicas starting at once never get the same one.
/// </summary>
public sealed class PortAllocator
{
    private readonly HashSet<int> _handedOut = [];
    private readonly Lock _lock = new();

    public int Allocate()
    {
        lock (_lock)
        {
            for (var attempt = 0; attempt < 64; attempt++)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (_handedOut.Add(port))
                {
                    return port;
                }
            }

            throw new InvalidOperationException("no free port found after 64 attempts");
        }
    }

    /// <summary>Marks ports of re-adopted replicas as taken.</summary>
    public void Reserve(int port)
    {
        lock (_lock)
        {
            _handedOut.Add(port);
        }
    }

    public void Release(int port)
    {
        lock (_lock)
        {
            _handedOut.Remove(port);
        }
    }
}
