namespace ZLayer.Proxy.Http1;

/// <summary>What the fast path does with a request head.</summary>
internal enum HeadVerdict
{
    /// <summary>Plain HTTP/1.1 the fast path forwards itself.</summary>
    Forward,

    /// <summary>Anything else (upgrades, chunked uploads, HTTP/1.0, h2c, odd syntax): Kestrel takes the connection.</summary>
    Fallback,

    /// <summary>Both Content-Length and Transfer-Encoding: refused with 400, never forwarded.</summary>
    Smuggling,
}
