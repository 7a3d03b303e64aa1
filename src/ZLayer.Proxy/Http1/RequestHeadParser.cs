using System.Text;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// Reads a client request head strictly. Only the narrow, common form is accepted for the fast
/// path; every doubt is a <see cref="HeadVerdict.Fallback"/> so Kestrel, not this parser, decides
/// on anything unusual. The one thing refused here is a request framed two ways.
/// </summary>
internal static class RequestHeadParser
{
    /// <param name="head">The head up to, not including, the blank line's CRLF (so ending in the last header's CRLF).</param>
    public static HeadVerdict Parse(ReadOnlySpan<byte> head, RequestHead into)
    {
        into.Reset();
        var lineLength = head.IndexOf(HttpSyntax.LineEnd);
        if (lineLength < 0 || !ParseRequestLine(head[..lineLength], into))
        {
            return HeadVerdict.Fallback;
        }

        bool host = false, length = false, chunked = false;
        var offset = lineLength + 2;
        while (offset < head.Length)
        {
            var end = head[offset..].IndexOf(HttpSyntax.LineEnd);
            var line = head.Slice(offset, end);
            var lineRange = new Range(offset, offset + end);
            var colon = line.IndexOf((byte)':');
            // A line starting with whitespace (obs-fold) has no token before its colon.
            if (colon <= 0 || !HttpSyntax.IsToken(line[..colon]))
            {
                return HeadVerdict.Fallback;
            }

            var name = line[..colon];
            var value = HttpSyntax.TrimWhitespace(line[(colon + 1)..]);
            if (!HttpSyntax.IsFieldValue(value))
            {
                return HeadVerdict.Fallback;
            }

            var valueStart = offset + colon + 1 + (line.Length - colon - 1 - line[(colon + 1)..].TrimStart(" \t"u8).Length);
            offset += end + 2;
            switch (Classify(name))
            {
                case HeaderKind.Host:
                    if (host || value.IsEmpty)
                    {
                        return HeadVerdict.Fallback;
                    }

                    host = true;
                    into.Host = new Range(valueStart, valueStart + value.Length);
                    into.SetHostName(WithoutPort(value));
                    into.PassedLines.Add(lineRange);
                    break;
                case HeaderKind.ContentLength:
                    if (length || (into.ContentLength = HttpSyntax.ParseLength(value)) < 0)
                    {
                        return HeadVerdict.Fallback;
                    }

                    length = true;
                    into.PassedLines.Add(lineRange);
                    break;
                case HeaderKind.TransferEncoding:
                    chunked = true;
                    break;
                case HeaderKind.Connection:
                    if (!ReadConnection(value, into))
                    {
                        return HeadVerdict.Fallback;
                    }

                    break;
                case HeaderKind.Fallback:
                    return HeadVerdict.Fallback;
                case HeaderKind.ForwardedFor:
                    into.ForwardedFor = Join(into.ForwardedFor, value);
                    break;
                case HeaderKind.Forwarded:
                    into.Forwarded = Join(into.Forwarded, value);
                    break;
                case HeaderKind.RequestId:
                    into.RequestId ??= value.IsEmpty ? null : Encoding.ASCII.GetString(value);
                    break;
                case HeaderKind.TraceParent:
                    // Two make neither valid (W3C); Kestrel's path treats that case.
                    if (into.TraceParentLine >= 0)
                    {
                        return HeadVerdict.Fallback;
                    }

                    into.TraceParentLine = into.PassedLines.Count;
                    into.TraceParent = new Range(valueStart, valueStart + value.Length);
                    into.PassedLines.Add(lineRange);
                    break;
                case HeaderKind.TraceState:
                    // Several tracestate lines form one list; the fast path leaves that rare case to Kestrel.
                    if (into.TraceState is not null)
                    {
                        return HeadVerdict.Fallback;
                    }

                    into.TraceState = new Range(valueStart, valueStart + value.Length);
                    into.PassedLines.Add(lineRange);
                    break;
                case HeaderKind.Dropped:
                    break;
                default:
                    into.PassedLines.Add(lineRange);
                    break;
            }
        }

        if (chunked)
        {
            return length ? HeadVerdict.Smuggling : HeadVerdict.Fallback;
        }

        return host ? HeadVerdict.Forward : HeadVerdict.Fallback;
    }

    private static bool ParseRequestLine(ReadOnlySpan<byte> line, RequestHead into)
    {
        var methodLength = line.IndexOf((byte)' ');
        if (methodLength <= 0 || !HttpSyntax.IsToken(line[..methodLength]))
        {
            return false;
        }

        var rest = line[(methodLength + 1)..];
        var targetLength = rest.IndexOf((byte)' ');
        if (targetLength <= 0 || !rest[(targetLength + 1)..].SequenceEqual("HTTP/1.1"u8))
        {
            return false;
        }

        var method = line[..methodLength];
        var target = rest[..targetLength];
        if (!HttpSyntax.IsOriginTarget(target) || method.SequenceEqual("CONNECT"u8))
        {
            return false;
        }

        into.MethodLength = methodLength;
        into.Target = new Range(methodLength + 1, methodLength + 1 + targetLength);
        var query = target.IndexOf((byte)'?');
        into.QueryStart = query < 0 ? target.Length : query;
        into.Path = Encoding.ASCII.GetString(target[..into.QueryStart]);
        into.IsHead = method.SequenceEqual("HEAD"u8);
        into.Idempotent = into.IsHead || method.SequenceEqual("GET"u8) || method.SequenceEqual("PUT"u8) || method.SequenceEqual("DELETE"u8)
            || method.SequenceEqual("OPTIONS"u8) || method.SequenceEqual("TRACE"u8);
        return true;
    }

    /// <summary>Reads Connection: close ends the client connection; other names are dropped headers; an upgrade is Kestrel's.</summary>
    private static bool ReadConnection(ReadOnlySpan<byte> value, RequestHead into)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = HttpSyntax.TrimWhitespace(value[range]);
            if (Ascii.EqualsIgnoreCase(token, "close"u8))
            {
                into.ClientCloses = true;
            }
            else if (Ascii.EqualsIgnoreCase(token, "upgrade"u8))
            {
                return false;
            }
            else if (!token.IsEmpty && !Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
            {
                (into.ConnectionNames ??= []).Add(Encoding.ASCII.GetString(token));
            }
        }

        return true;
    }

    private static ReadOnlySpan<byte> WithoutPort(ReadOnlySpan<byte> host)
    {
        if (host[0] == '[')
        {
            var close = host.IndexOf((byte)']');
            return close < 0 ? host : host[..(close + 1)];
        }

        var colon = host.LastIndexOf((byte)':');
        return colon < 0 ? host : host[..colon];
    }

    private static string Join(string? existing, ReadOnlySpan<byte> value) =>
        existing is null ? Encoding.ASCII.GetString(value) : $"{existing},{Encoding.ASCII.GetString(value)}";

    private static HeaderKind Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when Ascii.EqualsIgnoreCase(name, "te"u8) => HeaderKind.Dropped,
        4 when Ascii.EqualsIgnoreCase(name, "host"u8) => HeaderKind.Host,
        6 when Ascii.EqualsIgnoreCase(name, "expect"u8) => HeaderKind.Fallback,
        7 when Ascii.EqualsIgnoreCase(name, "upgrade"u8) => HeaderKind.Fallback,
        7 when Ascii.EqualsIgnoreCase(name, "trailer"u8) => HeaderKind.Dropped,
        9 when Ascii.EqualsIgnoreCase(name, "forwarded"u8) => HeaderKind.Forwarded,
        10 when Ascii.EqualsIgnoreCase(name, "connection"u8) => HeaderKind.Connection,
        10 when Ascii.EqualsIgnoreCase(name, "keep-alive"u8) => HeaderKind.Dropped,
        10 when Ascii.EqualsIgnoreCase(name, "tracestate"u8) => HeaderKind.TraceState,
        11 when Ascii.EqualsIgnoreCase(name, "traceparent"u8) => HeaderKind.TraceParent,
        12 when Ascii.EqualsIgnoreCase(name, "x-request-id"u8) => HeaderKind.RequestId,
        14 when Ascii.EqualsIgnoreCase(name, "content-length"u8) => HeaderKind.ContentLength,
        14 when Ascii.EqualsIgnoreCase(name, "http2-settings"u8) => HeaderKind.Fallback,
        15 when Ascii.EqualsIgnoreCase(name, "x-forwarded-for"u8) => HeaderKind.ForwardedFor,
        16 when Ascii.EqualsIgnoreCase(name, "x-forwarded-host"u8) => HeaderKind.Dropped,
        17 when Ascii.EqualsIgnoreCase(name, "x-forwarded-proto"u8) => HeaderKind.Dropped,
        17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8) => HeaderKind.TransferEncoding,
        _ when name.Length > 6 && Ascii.EqualsIgnoreCase(name[..6], "proxy-"u8) => HeaderKind.Dropped,
        _ => HeaderKind.Passed,
    };

    private enum HeaderKind
    {
        Passed,
        Dropped,
        Fallback,
        Host,
        ContentLength,
        TransferEncoding,
        Connection,
        ForwardedFor,
        Forwarded,
        RequestId,
        TraceParent,
        TraceState,
    }
}
