using System.Net;
using System.Net.Sockets;

namespace ZLayer.Proxy.Tests.Support;

/// <summary>Loopback ports for the proxy to listen on, and ones nobody listens on.</summary>
internal static class Ports
{
    /// <summary>A port free right now (the kernel picked it); tests listen on it at once.</summary>
    public static int Free()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public static int FreeUdp()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
