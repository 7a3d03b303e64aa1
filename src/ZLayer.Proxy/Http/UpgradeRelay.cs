using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ZLayer.Proxy.Http;

/// <summary>
/// After the backend answered 101 Switching Protocols (a WebSocket handshake), tells the client
/// (101, or 200 for an HTTP/2 extended CONNECT) and relays the two byte streams both ways until
/// either side closes.
/// </summary>
internal static class UpgradeRelay
{
    public static async Task<(long Received, long Sent)> RunAsync(HttpContext context, ClientUpgrade upgrade, HttpResponseMessage response, TimeSpan idleTimeout)
    {
        context.Response.StatusCode = upgrade.SuccessStatus;
        ResponseHeaderCopier.Copy(response, context.Response);
        foreach (var name in context.Response.Headers.Keys.Where(upgrade.DropsResponseHeader).ToList())
        {
            context.Response.Headers.Remove(name);
        }

        if (!upgrade.ExtendedConnect && response.Headers.NonValidated.TryGetValues(HeaderNames.Upgrade, out var protocol))
        {
            context.Response.Headers.Upgrade = protocol.ToString();
        }

        // With a 101, SocketsHttpHandler hands over the connection itself as the content stream.
        await using var backend = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        await using var client = await upgrade.AcceptAsync();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var up = Pump(client, backend, idleTimeout, done);
        var down = Pump(backend, client, idleTimeout, done);
        return (await up, await down);
    }

    private static async Task<long> Pump(Stream from, Stream to, TimeSpan idleTimeout, CancellationTokenSource done)
    {
        try
        {
            return await BodyPump.CopyAsync(from, to, idleTimeout, done.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            // Either direction ending ends the exchange: WebSocket close frames have crossed by then.
            await done.CancelAsync();
        }
    }
}
