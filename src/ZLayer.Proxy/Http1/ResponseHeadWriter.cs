using System.Buffers;
using System.Text;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// Checks a backend's response head and writes it to the client: status line as HTTP/1.1, the
/// end-to-end header lines byte for byte, hop-by-hop ones (and those its Connection header names)
/// dropped, and Connection: close when the client connection ends after this response. A head
/// that frames its body two ways or is malformed is an <see cref="InvalidDataException"/> (502).
/// </summary>
internal static class ResponseHeadWriter
{
    /// <param name="head">The head up to, not including, the blank line's CRLF.</param>
    public static ResponseFraming Write(ReadOnlySpan<byte> head, bool headRequest, bool clientCloses, IBufferWriter<byte> client)
    {
        var lineLength = head.IndexOf(HttpSyntax.LineEnd);
        var statusLine = head[..lineLength];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[7] is not ((byte)'0' or (byte)'1') || statusLine[8] != ' '
            || !int.TryParse(statusLine.Slice(9, 3), System.Globalization.NumberStyles.None, null, out var status) || status < 100
            || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            throw new InvalidDataException("malformed status line");
        }

        var backendCloses = statusLine[7] == '0';
        long length = -1;
        var chunked = false;
        List<string>? named = null;
        for (var offset = lineLength + 2; offset < head.Length;)
        {
            offset = Field(head, offset, out var name, out var value);
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                var parsed = HttpSyntax.ParseLength(value);
                if (parsed < 0 || (length >= 0 && parsed != length))
                {
                    throw new InvalidDataException("bad Content-Length");
                }

                length = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                if (value.Length < 7 || !Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8))
                {
                    throw new InvalidDataException("a transfer coding other than chunked last");
                }

                chunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var token = HttpSyntax.TrimWhitespace(value[range]);
                    if (Ascii.EqualsIgnoreCase(token, "close"u8))
                    {
                        backendCloses = true;
                    }
                    else if (!token.IsEmpty && !Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
                    {
                        (named ??= []).Add(Encoding.ASCII.GetString(token));
                    }
                }
            }
        }

        if (chunked && length >= 0)
        {
            throw new InvalidDataException("both Content-Length and Transfer-Encoding");
        }

        var body = status < 200 || status is 204 or 304 || headRequest ? BodyKind.None
            : chunked ? BodyKind.Chunked
            : length >= 0 ? BodyKind.Length
            : BodyKind.UntilClose;
        if (status == 101)
        {
            throw new InvalidDataException("switching protocols without an upgrade request");
        }

        client.Write("HTTP/1.1"u8);
        client.Write(statusLine[8..]);
        client.Write("\r\n"u8);
        for (var offset = lineLength + 2; offset < head.Length;)
        {
            var next = Field(head, offset, out var name, out _);
            if (!IsHopByHop(name, chunked, named))
            {
                client.Write(head[offset..next]);
            }

            offset = next;
        }

        if (status >= 200 && (clientCloses || body == BodyKind.UntilClose))
        {
            client.Write("Connection: close\r\n"u8);
        }

        client.Write("\r\n"u8);
        return new ResponseFraming(status, body, length, backendCloses);
    }

    /// <summary>Reads the header line at <paramref name="offset"/>; returns where the next one starts.</summary>
    private static int Field(ReadOnlySpan<byte> head, int offset, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var end = head[offset..].IndexOf(HttpSyntax.LineEnd);
        var line = head.Slice(offset, end);
        var colon = line.IndexOf((byte)':');
        value = colon > 0 ? HttpSyntax.TrimWhitespace(line[(colon + 1)..]) : default;
        if (colon <= 0 || !HttpSyntax.IsToken(line[..colon]) || value.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
        {
            throw new InvalidDataException("malformed response header");
        }

        name = line[..colon];
        return offset + end + 2;
    }

    /// <summary>Whether a response header stays on the backend's side (the chunked framing itself is relayed verbatim, so it crosses).</summary>
    private static bool IsHopByHop(ReadOnlySpan<byte> name, bool chunked, List<string>? named)
    {
        if (Ascii.EqualsIgnoreCase(name, "connection"u8) || Ascii.EqualsIgnoreCase(name, "keep-alive"u8) || Ascii.EqualsIgnoreCase(name, "te"u8)
            || Ascii.EqualsIgnoreCase(name, "trailer"u8) || Ascii.EqualsIgnoreCase(name, "upgrade"u8)
            || (name.Length > 6 && Ascii.EqualsIgnoreCase(name[..6], "proxy-"u8))
            || (!chunked && Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8)))
        {
            return true;
        }

        if (named is not null)
        {
            foreach (var n in named)
            {
                if (Ascii.EqualsIgnoreCase(name, n))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
