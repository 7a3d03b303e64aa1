using System.Net;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// Idle keep-alive connections per backend address, most recently used first (the warmest, and
/// the least likely to have been closed by the backend's own idle timeout). Connections idle
/// longer than the proxy's idle timeout are closed instead of reused.
/// </summary>
internal sealed class BackendConnectionPool(NodeProxyOptions options) : IDisposable
{
    private const int MaxIdlePerBackend = 1024;

    private readonly Dictionary<(string Host, int Port), Stack<BackendConnection>> idle = [];
    private bool disposed;

    public async ValueTask<BackendConnection> RentAsync(BackendAddress backend, CancellationToken token)
    {
        var now = Environment.TickCount64;
        lock (idle)
        {
            if (idle.TryGetValue((backend.Host, backend.Port), out var stack))
            {
                while (stack.TryPop(out var connection))
                {
                    if (now - connection.IdleSince < (long)options.IdleTimeout.TotalMilliseconds)
                    {
                        connection.Reused = true;
                        return connection;
                    }

                    connection.Dispose();
                }
            }
        }

        return await BackendConnection.OpenAsync(new DnsEndPoint(backend.Host, backend.Port), options.ConnectTimeout, token);
    }

    public void Return(BackendAddress backend, BackendConnection connection)
    {
        connection.IdleSince = Environment.TickCount64;
        connection.ResetBuffer();
        lock (idle)
        {
            if (!disposed)
            {
                if (!idle.TryGetValue((backend.Host, backend.Port), out var stack))
                {
                    idle[(backend.Host, backend.Port)] = stack = new Stack<BackendConnection>();
                }

                if (stack.Count < MaxIdlePerBackend)
                {
                    stack.Push(connection);
                    return;
                }
            }
        }

        connection.Dispose();
    }

    /// <summary>Closes the idle connections to backends no longer in <paramref name="table"/> (replicas stopped or moved).</summary>
    public void Prune(RouteTable table)
    {
        var current = table.Backends().Select(b => (b.Backend.Address.Host, b.Backend.Address.Port)).ToHashSet();
        lock (idle)
        {
            foreach (var key in idle.Keys.Where(k => !current.Contains(k)).ToList())
            {
                foreach (var connection in idle[key])
                {
                    connection.Dispose();
                }

                idle.Remove(key);
            }
        }
    }

    public void Dispose()
    {
        lock (idle)
        {
            disposed = true;
            foreach (var connection in idle.Values.SelectMany(s => s))
            {
                connection.Dispose();
            }

            idle.Clear();
        }
    }
}
