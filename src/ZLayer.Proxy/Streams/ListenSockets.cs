using System.Net;
using System.Net.Sockets;

namespace ZLayer.Proxy.Streams;

/// <summary>Opens a stream relay's sockets on each of its addresses, all or none.</summary>
internal static class ListenSockets
{
    public static List<Socket> Open(IReadOnlyList<IPAddress> addresses, int port, SocketType type)
    {
        var opened = new List<Socket>();
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, type, type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp);
            try
            {
                if (address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.Bind(new IPEndPoint(address, port));
                if (type == SocketType.Stream)
                {
                    socket.Listen(512);
                }
            }
            catch (SocketException e)
            {
                socket.Dispose();
                opened.ForEach(s => s.Dispose());
                var what = type == SocketType.Dgram ? "udp" : "tcp";
                throw new InvalidOperationException($"cannot listen on {address} {what} port {port}: {e.Message}", e);
            }

            opened.Add(socket);
        }

        return opened;
    }
}
