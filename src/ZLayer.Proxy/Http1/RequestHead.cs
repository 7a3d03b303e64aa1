namespace ZLayer.Proxy.Http1;

/// <summary>
/// One client request head as the fast path understood it: positions into the raw head bytes
/// plus the few values routing and framing need. Reused for every request of a connection.
/// </summary>
internal sealed class RequestHead
{
    private byte[] hostBytes = [];

    public int MethodLength { get; set; }

    public Range Target { get; set; }

    /// <summary>Where the query starts within the target, or the target's length when there is none.</summary>
    public int QueryStart { get; set; }

    /// <summary>The Host header value as sent (with any port), for X-Forwarded-Host and Forwarded.</summary>
    public Range Host { get; set; }

    /// <summary>The host without its port, as routes match it.</summary>
    public string HostName { get; private set; } = "";

    public string Path { get; set; } = "";

    public long ContentLength { get; set; }

    public bool IsHead { get; set; }

    public bool Idempotent { get; set; }

    public bool ClientCloses { get; set; }

    /// <summary>The header lines to pass on as they are.</summary>
    public List<Range> PassedLines { get; } = [];

    /// <summary>Header names the client's Connection header lists, removed before forwarding.</summary>
    public List<string>? ConnectionNames { get; set; }

    public string? ForwardedFor { get; set; }

    public string? Forwarded { get; set; }

    public string? RequestId { get; set; }

    /// <summary>Which of <see cref="PassedLines"/> is the client's traceparent (-1: none), replaced when the proxy traces the request.</summary>
    public int TraceParentLine { get; set; } = -1;

    /// <summary>The client's traceparent and tracestate values, read only when the proxy traces the request.</summary>
    public Range TraceParent { get; set; }

    public Range? TraceState { get; set; }

    public void Reset()
    {
        ContentLength = 0;
        TraceParentLine = -1;
        TraceState = null;
        IsHead = Idempotent = ClientCloses = false;
        PassedLines.Clear();
        ConnectionNames = null;
        ForwardedFor = Forwarded = RequestId = null;
    }

    /// <summary>Sets the host name, reusing the previous string when a keep-alive client repeats it.</summary>
    public void SetHostName(ReadOnlySpan<byte> name)
    {
        if (!name.SequenceEqual(hostBytes))
        {
            hostBytes = name.ToArray();
            HostName = System.Text.Encoding.ASCII.GetString(name);
        }
    }
}
