using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ZLayer.Proxy.Http;

/// <summary>
/// A client's request to switch protocols: an HTTP/1.1 Upgrade, or an HTTP/2 extended CONNECT
/// (RFC 8441, how browsers open a WebSocket on an h2 connection). Backends always see the
/// HTTP/1.1 form, so an extended CONNECT is turned into a WebSocket upgrade and back.
/// </summary>
internal sealed class ClientUpgrade
{
    private readonly IHttpUpgradeFeature? upgrade;
    private readonly IHttpExtendedConnectFeature? connect;

    private ClientUpgrade(IHttpUpgradeFeature? upgrade, IHttpExtendedConnectFeature? connect)
    {
        this.upgrade = upgrade;
        this.connect = connect;
    }

    public bool ExtendedConnect => connect is not null;

    /// <summary>The status the client gets when the backend switched: 101 on HTTP/1.1, 200 on HTTP/2.</summary>
    public int SuccessStatus => ExtendedConnect ? StatusCodes.Status200OK : StatusCodes.Status101SwitchingProtocols;

    public static ClientUpgrade? Detect(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            return new ClientUpgrade(upgrade, null);
        }

        return context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: "websocket" } connect
            ? new ClientUpgrade(null, connect)
            : null;
    }

    /// <summary>Adds what the backend needs to agree to the switch.</summary>
    public void AddBackendHeaders(HttpRequestMessage message, HttpRequest request)
    {
        message.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        if (connect is null)
        {
            message.Headers.TryAddWithoutValidation("Upgrade", (IEnumerable<string?>)request.Headers.Upgrade);
            return;
        }

        message.Method = HttpMethod.Get;
        message.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        if (!message.Headers.Contains("Sec-WebSocket-Key"))
        {
            // HTTP/2 WebSockets have no key; an HTTP/1.1 backend requires one (RFC 6455 §4.1).
            message.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        }
    }

    /// <summary>Whether a backend answer header belongs only to the HTTP/1.1 handshake.</summary>
    public bool DropsResponseHeader(string name) =>
        ExtendedConnect && name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase);

    public async Task<Stream> AcceptAsync() => connect is not null ? await connect.AcceptAsync() : await upgrade!.UpgradeAsync();
}
