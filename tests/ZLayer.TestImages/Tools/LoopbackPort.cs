using System.Net;
using System.Net.Sockets;

namespace ZLayer.TestImages.Tools;

/// <summary>Ports on 127.0.0.1 for servers the tests and benchmarks start.</summary>
public static class LoopbackPort
{
    /// <summary>A port nothing listened on a moment ago (the kernel's pick for port 0).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
