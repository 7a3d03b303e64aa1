using System.Buffers;
using System.Globalization;
using System.Text;

namespace ZLayer.Proxy.Http1;

/// <summary>The proxy's own short plain-text answers on the fast path (404, 403, 400, 502, 503, 504).</summary>
internal static class LocalResponse
{
    public static void Write(IBufferWriter<byte> client, int status, string message, bool close)
    {
        var reason = status switch
        {
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            _ => "Gateway Timeout",
        };
        var text = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {message.Length + 1}\r\n{(close ? "Connection: close\r\n" : "")}\r\n{message}\n");
        client.Write(Encoding.ASCII.GetBytes(text));
    }
}
