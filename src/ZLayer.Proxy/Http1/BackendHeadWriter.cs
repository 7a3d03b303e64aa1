using System.Diagnostics;
using System.Text;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// Writes the head the backend receives: the client's method and target (prefix stripped when
/// the route says so), its end-to-end header lines byte for byte, then X-Forwarded-For/-Proto/-Host,
/// Forwarded and X-Request-Id, the same set the Kestrel path sends. A traced request's
/// traceparent line names the proxy's span instead of the client's.
/// </summary>
internal static class BackendHeadWriter
{
    public static void Write(ReadOnlySpan<byte> head, RequestHead request, HttpRoute route, ClientEndpoint client, HeadBuffer to, Activity? span = null)
    {
        to.Clear();
        to.Append(head[..(request.MethodLength + 1)]);
        var target = head[request.Target];
        if (route.StripPrefix)
        {
            Ascii(route.BackendPath(request.Path), to);
            to.Append(target[request.QueryStart..]);
        }
        else
        {
            to.Append(target);
        }

        to.Append(" HTTP/1.1\r\n"u8);
        var replaced = span is null ? -1 : request.TraceParentLine;
        for (var i = 0; i < request.PassedLines.Count; i++)
        {
            if (i == replaced)
            {
                continue;
            }

            var bytes = head[request.PassedLines[i]];
            if (request.ConnectionNames is { } named && NamedByConnection(bytes, named))
            {
                continue;
            }

            to.Append(bytes);
            to.Append("\r\n"u8);
        }

        var host = head[request.Host];
        to.Append("X-Forwarded-For: "u8);
        if (request.ForwardedFor is { } earlierFor)
        {
            Ascii(earlierFor, to);
            to.Append(", "u8);
        }

        to.Append(client.Address);
        to.Append("\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: "u8);
        to.Append(host);
        to.Append("\r\nForwarded: "u8);
        if (request.Forwarded is { } earlier)
        {
            Ascii(earlier, to);
            to.Append(", "u8);
        }

        to.Append("for="u8);
        to.Append(client.ForNode);
        to.Append(";proto=http;host=\""u8);
        to.Append(host);
        to.Append("\"\r\nX-Request-Id: "u8);
        if (request.RequestId is { } id)
        {
            Ascii(id, to);
        }
        else
        {
            // 128 bits from the process's user-space generator: unique enough for tracing, and
            // unlike Guid.NewGuid no read of the kernel's random device on every request.
            var free = to.Free(32);
            Random.Shared.NextInt64().TryFormat(free, out _, "x16");
            Random.Shared.NextInt64().TryFormat(free[16..], out _, "x16");
            to.Advance(32);
        }

        to.Append("\r\n"u8);
        if (span is not null)
        {
            to.Append("traceparent: "u8);
            Ascii(span.Id!, to);
            to.Append("\r\n"u8);
        }

        to.Append("\r\n"u8);
    }

    private static bool NamedByConnection(ReadOnlySpan<byte> line, List<string> named)
    {
        var name = line[..line.IndexOf((byte)':')];
        foreach (var n in named)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, n))
            {
                return true;
            }
        }

        return false;
    }

    private static void Ascii(string text, HeadBuffer to) => to.Advance(Encoding.ASCII.GetBytes(text, to.Free(text.Length)));
}
