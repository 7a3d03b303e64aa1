using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ZLayer.Cli.Commands;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>No daemon answered at the address: not running, or not reachable from here.</summary>
public sealed class DaemonUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The daemon's REST API over HTTP, on a Unix socket or TCP. Errors arrive as exceptions the
/// commands report in one way: <see cref="DaemonUnreachableException"/> when nothing answers,
/// <see cref="ApiProblemException"/> with the daemon's problem document otherwise.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly SocketsHttpHandler _handler;
    private readonly ClientCredentials _credentials;

    public ApiClient(DaemonAddress address, TimeSpan? timeout = null)
    {
        Address = address;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = address.SocketPath is null,
        };
        if (address.SocketPath is { } path)
        {
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        _credentials = ClientCredentials.For(address);
        _credentials.Configure(handler);
        _handler = handler;
        _http = new HttpClient(handler, disposeHandler: false) { BaseAddress = address.BaseUri, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("zlayer", VersionCommand.Version));
        _credentials.Authorize(_http.DefaultRequestHeaders);
    }

    public DaemonAddress Address { get; }

    public Task<T> GetAsync<T>(string path, CancellationToken ct) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, Relative(path)), ct);

    /// <summary>A plain-text answer, such as a finished job run's output.</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken ct)
    {
        using var response = await SendCoreAsync(new HttpRequestMessage(HttpMethod.Get, Relative(path)), HttpCompletionOption.ResponseContentRead, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    public Task<T> PostAsync<T>(string path, object body, CancellationToken ct) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, Relative(path)) { Content = Json(body) }, ct);

    /// <summary>A DELETE that answers with the resource as it was removed (or revoked).</summary>
    public Task<T> DeleteAsync<T>(string path, CancellationToken ct) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Delete, Relative(path)), ct);

    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        using var response = await SendCoreAsync(new HttpRequestMessage(HttpMethod.Delete, Relative(path)), HttpCompletionOption.ResponseContentRead, ct);
    }

    /// <summary>Reads a streamed response line by line (NDJSON) until it ends or <paramref name="ct"/> is cancelled.</summary>
    public IAsyncEnumerable<string> ReadLinesAsync(string path, CancellationToken ct) =>
        LinesAsync(new HttpRequestMessage(HttpMethod.Get, Relative(path)), ct);

    /// <summary>Posts <paramref name="body"/> and reads the streamed answer line by line (NDJSON), as image pulls answer.</summary>
    public IAsyncEnumerable<string> PostLinesAsync(string path, object body, CancellationToken ct) =>
        LinesAsync(new HttpRequestMessage(HttpMethod.Post, Relative(path)) { Content = Json(body) }, ct);

    private async IAsyncEnumerable<string> LinesAsync(HttpRequestMessage request, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// Opens a WebSocket to <paramref name="path"/> over the same connection settings (Unix socket
    /// or HTTP); an answer other than the upgrade is reported as the daemon's problem document.
    /// </summary>
    public async Task<ClientWebSocket> ConnectWebSocketAsync(string path, CancellationToken ct)
    {
        var http = new Uri(Address.BaseUri, path);
        var uri = new UriBuilder(http) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("User-Agent", $"zlayer/{VersionCommand.Version}");
        _credentials.Authorize(socket.Options);
        try
        {
            using var invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
            await socket.ConnectAsync(uri, invoker, ct);
            return socket;
        }
        catch (WebSocketException ex) when (socket.HttpStatusCode != 0)
        {
            socket.Dispose();
            // The upgrade was refused; the same request as plain HTTP gets the problem document that says why.
            using var response = await SendCoreAsync(new HttpRequestMessage(HttpMethod.Get, Relative(path)), HttpCompletionOption.ResponseContentRead, ct);
            throw new DaemonUnreachableException($"the daemon at {Address.Display} refused the WebSocket {path}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException)
        {
            socket.Dispose();
            if ((ex as HttpRequestException ?? ex.InnerException as HttpRequestException) is { } connect &&
                (connect.HttpRequestError == HttpRequestError.ConnectionError || connect.InnerException is SocketException))
            {
                // Nothing listens: the same "no daemon running" as every other command.
                throw Unreachable(connect);
            }

            throw new DaemonUnreachableException($"cannot open the WebSocket {path} of the daemon at {Address.Display}: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
    }

    private static string Relative(string path) => path.TrimStart('/');

    private static JsonContent Json(object body) => JsonContent.Create(body, body.GetType(), JsonType, ClientJson.Options);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ClientJson.Options, ct)
                ?? throw new JsonException("the answer was null");
        }
        catch (JsonException ex)
        {
            throw new DaemonUnreachableException($"the daemon at {Address.Display} sent an answer this zlayer cannot read ({ex.Message}); are client and daemon the same version?", ex);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError || ex.InnerException is SocketException)
        {
            throw Unreachable(ex);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new DaemonUnreachableException(
                $"the TLS certificate of the daemon at {Address.Display} is not trusted ({ex.InnerException?.Message ?? ex.Message}); for a self-signed one set {ClientCredentials.FingerprintVariable} to the SHA-256 fingerprint the daemon logs at start", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new DaemonUnreachableException($"the daemon at {Address.Display} did not answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }
        finally
        {
            request.Dispose();
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new ApiProblemException(await ReadProblemAsync(response, ct));
        }
    }

    private DaemonUnreachableException Unreachable(HttpRequestException ex)
    {
        var socketError = (ex.InnerException as SocketException)?.SocketErrorCode;
        if (socketError == SocketError.AccessDenied)
        {
            return new DaemonUnreachableException(
                $"permission denied connecting to the zlayer daemon at {Address.Display} (run as a user in the socket's group, or with sudo)", ex);
        }

        var what = Address.SocketPath is null ? "answering" : "running";
        return new DaemonUnreachableException(
            $"no zlayer daemon is {what} at {Address.Display} (start one with `zlayer serve`, or set {Control.ZLayerPaths.HostVariable})", ex);
    }

    private static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(ct);
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (mediaType.Contains("json", StringComparison.Ordinal))
        {
            try
            {
                if (JsonSerializer.Deserialize<ApiProblem>(text, ClientJson.Options) is { Title: not null } problem)
                {
                    return problem;
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all; describe the answer below.
            }
        }

        // Something other than the daemon answered (a proxy, another server on the port).
        var snippet = text.Length > 200 ? text[..200] + "…" : text;
        return new ApiProblem("about:blank", response.ReasonPhrase ?? $"HTTP {status}", status, snippet.Trim().Length > 0 ? snippet.Trim() : null);
    }
}
