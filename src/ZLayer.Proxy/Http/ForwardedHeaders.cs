using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace ZLayer.Proxy.Http;

/// <summary>
/// Tells the backend who the client was: X-Forwarded-For gets the client address appended,
/// X-Forwarded-Proto and -Host say what the client asked the proxy for, and Forwarded (RFC 7239)
/// gets one element with the same facts. X-Request-Id is kept when the client sent one.
/// </summary>
internal static class ForwardedHeaders
{
    public const string RequestId = "X-Request-Id";

    public static void Add(HttpContext context, HttpRequestHeaders headers, bool secure)
    {
        var request = context.Request;
        var client = ClientAddress(context.Connection.RemoteIpAddress);
        var host = request.Host.Value ?? "";
        // From the listener, not the request: h2c connections carry a TLS marker only to pick HTTP/2.
        var scheme = secure ? "https" : "http";

        var existingFor = request.Headers["X-Forwarded-For"];
        headers.TryAddWithoutValidation("X-Forwarded-For", existingFor.Count == 0 ? client : $"{existingFor}, {client}");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", scheme);
        headers.TryAddWithoutValidation("X-Forwarded-Host", host);

        var forNode = client.Contains(':', StringComparison.Ordinal) ? $"\"[{client}]\"" : client;
        var element = $"for={forNode};proto={scheme};host=\"{host}\"";
        var existing = request.Headers["Forwarded"];
        headers.TryAddWithoutValidation("Forwarded", existing.Count == 0 ? element : $"{existing}, {element}");

        var id = request.Headers[RequestId];
        headers.TryAddWithoutValidation(RequestId, id.Count == 0 || string.IsNullOrEmpty(id[0]) ? Guid.NewGuid().ToString("N") : id[0]);
    }

    /// <summary>Whether the proxy sets this header itself (the client's copy is merged, not passed as is).</summary>
    public static bool IsOwn(string name) =>
        name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-Host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Forwarded", StringComparison.OrdinalIgnoreCase)
        || name.Equals(RequestId, StringComparison.OrdinalIgnoreCase);

    private static string ClientAddress(IPAddress? address) =>
        address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
