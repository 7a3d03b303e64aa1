using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Docker;

/// <summary>What the engine answered: the status and the JSON body, if there was one.</summary>
internal readonly record struct EngineReply(HttpStatusCode Status, JsonNode? Body)
{
    public bool Is(HttpStatusCode status) => Status == status;
}

/// <summary>
/// The Docker Engine API (Docker, or Podman's compatible service) over its Unix socket. The API
/// version is negotiated once when connecting: the engine's own version, capped at the newest this
/// client was written against, and refused below 1.41 (Docker 20.10), whose behaviour the runtime
/// relies on. Every failure becomes a <see cref="RuntimeException"/> that names the operation.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    public static readonly Version MinimumApiVersion = new(1, 41);
    public static readonly Version MaximumApiVersion = new(1, 43);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private string _prefix = "";

    private DockerEngine(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) => new NetworkStream(await OpenSocketAsync(ct).ConfigureAwait(false), ownsSocket: true),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        // Waits and followed logs last as long as the caller wants; plain calls get RequestTimeout below.
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>The negotiated API version, e.g. 1.41.</summary>
    public Version ApiVersion { get; private set; } = MinimumApiVersion;

    /// <summary>Podman's Docker-compatible service, whose answers differ in places (log times in whole seconds).</summary>
    public bool IsPodman { get; private set; }

    /// <summary>The engine's product and version as it reports them, e.g. "Docker Engine 20.10.24".</summary>
    public string Description { get; private set; } = "";

    /// <summary>Connects, asks the engine for its version and settles the API version to use.</summary>
    public static async Task<DockerEngine> ConnectAsync(string socketPath, CancellationToken cancellationToken = default)
    {
        if (!Path.Exists(socketPath))
        {
            throw new RuntimeException($"there is no Docker engine socket at {socketPath} (start dockerd or `podman system service`, or set DOCKER_HOST=unix://PATH)");
        }

        var engine = new DockerEngine(socketPath);
        try
        {
            await engine.NegotiateAsync(cancellationToken).ConfigureAwait(false);
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends one request to a versioned path and returns the reply when it is a success or one of <paramref name="tolerated"/>.</summary>
    internal async Task<EngineReply> SendAsync(HttpMethod method, string path, JsonNode? body, string operation, CancellationToken ct, params HttpStatusCode[] tolerated)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(RequestTimeout);
        try
        {
            using var request = Request(method, path, body, null);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && !tolerated.Contains(response.StatusCode))
            {
                throw Failure(operation, response.StatusCode, text);
            }

            return new EngineReply(response.StatusCode, ParseOrNull(text));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RuntimeException($"{operation}: the Docker engine at {SocketPath} did not answer within {RequestTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(operation, e);
        }
    }

    /// <summary>Opens a streamed response (logs, pull progress, waits); the caller reads and disposes it. Errors are thrown before the stream is returned.</summary>
    internal async Task<HttpResponseMessage> OpenStreamAsync(HttpMethod method, string path, JsonNode? body, string operation, CancellationToken ct, string? registryAuth = null)
    {
        HttpResponseMessage? response = null;
        try
        {
            using var request = Request(method, path, body, registryAuth);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw Failure(operation, response.StatusCode, text);
            }

            var result = response;
            response = null;
            return result;
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(operation, e);
        }
        finally
        {
            response?.Dispose();
        }
    }

    /// <summary>
    /// A request on a connection of its own whose answer is the raw connection (the engine's
    /// "hijacked" exec and attach streams): the status line and headers are consumed, the rest of
    /// the socket belongs to the caller, which may half-close it to signal end of input.
    /// </summary>
    internal async Task<Socket> HijackAsync(string path, JsonNode body, string operation, CancellationToken ct)
    {
        var socket = await OpenSocketAsync(ct).ConfigureAwait(false);
        try
        {
            var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
            var head = $"POST {_prefix}{path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: {payload.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), ct).ConfigureAwait(false);
            await socket.SendAsync(payload, ct).ConfigureAwait(false);

            var (status, headers) = await ReadHeadAsync(socket, operation, ct).ConfigureAwait(false);
            if (status is not (101 or 200))
            {
                var length = headers.TryGetValue("content-length", out var l) && int.TryParse(l, CultureInfo.InvariantCulture, out var n) ? n : 0;
                var error = new byte[Math.Min(length, 64 * 1024)];
                var read = 0;
                while (read < error.Length && await socket.ReceiveAsync(error.AsMemory(read), ct).ConfigureAwait(false) is var got and > 0)
                {
                    read += got;
                }

                throw Failure(operation, (HttpStatusCode)status, Encoding.UTF8.GetString(error, 0, read));
            }

            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RuntimeException($"{operation}: the connection to the Docker engine at {SocketPath} failed: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A value escaped for a query string (filters, names and JSON go there).</summary>
    internal static string Query(string value) => Uri.EscapeDataString(value);

    private async Task NegotiateAsync(CancellationToken ct)
    {
        // /version is the one path every engine serves without a version prefix.
        var reply = await SendAsync(HttpMethod.Get, "/version", null, "asking the engine's version", ct).ConfigureAwait(false);
        var text = reply.Body?["ApiVersion"]?.GetValue<string>();
        if (!Version.TryParse(text, out var offered))
        {
            throw new RuntimeException($"the engine at {SocketPath} did not report an API version (is this a Docker or Podman socket?)");
        }

        // Docker names its engine component "Engine", Podman "Podman Engine".
        var product = reply.Body?["Components"]?.AsArray().FirstOrDefault()?["Name"]?.GetValue<string>() is { } component && component != "Engine" ? component : "Docker Engine";
        var version = reply.Body?["Version"]?.GetValue<string>() ?? "?";
        if (offered < MinimumApiVersion)
        {
            throw new RuntimeException($"the engine at {SocketPath} ({product} {version}) speaks API {offered}; the docker runtime needs {MinimumApiVersion} or later (Docker 20.10+, Podman 3+)");
        }

        ApiVersion = offered > MaximumApiVersion ? MaximumApiVersion : offered;
        IsPodman = product.StartsWith("Podman", StringComparison.Ordinal);
        _prefix = $"/v{ApiVersion.Major.ToString(CultureInfo.InvariantCulture)}.{ApiVersion.Minor.ToString(CultureInfo.InvariantCulture)}";
        Description = $"{product} {version} (API {offered}, using {ApiVersion})";
    }

    private HttpRequestMessage Request(HttpMethod method, string path, JsonNode? body, string? registryAuth)
    {
        var request = new HttpRequestMessage(method, _prefix + path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }
        else if (method == HttpMethod.Post)
        {
            // Some engines refuse a POST without a length.
            request.Content = new ByteArrayContent([]);
        }

        if (registryAuth is not null)
        {
            request.Headers.Add("X-Registry-Auth", registryAuth);
        }

        return request;
    }

    private async Task<Socket> OpenSocketAsync(CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), limit.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads the status line and headers byte by byte, so that nothing of the stream after them is consumed.</summary>
    private async Task<(int Status, Dictionary<string, string> Headers)> ReadHeadAsync(Socket socket, string operation, CancellationToken ct)
    {
        var bytes = new List<byte>(256);
        var one = new byte[1];
        while (bytes.Count < 16 * 1024)
        {
            if (await socket.ReceiveAsync(one, ct).ConfigureAwait(false) == 0)
            {
                throw new RuntimeException($"{operation}: the Docker engine at {SocketPath} closed the connection before answering");
            }

            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n')
            {
                var lines = Encoding.ASCII.GetString([.. bytes]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                var parts = lines[0].Split(' ', 3);
                var status = parts.Length >= 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var s) ? s : 0;
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                    }
                }

                return (status, headers);
            }
        }

        throw new RuntimeException($"{operation}: the Docker engine at {SocketPath} sent an oversized answer header");
    }

    private static JsonNode? ParseOrNull(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The engine's own words ({"message": ...}), with the operation in front.</summary>
    private static RuntimeException Failure(string operation, HttpStatusCode status, string body)
    {
        var message = ParseOrNull(body) is JsonObject o && o["message"] is JsonValue m && m.TryGetValue<string>(out var s) ? s : body.Trim();
        if (message.Length == 0)
        {
            message = status.ToString();
        }

        return new RuntimeException($"{operation}: {message} (HTTP {(int)status})");
    }

    private RuntimeException Unreachable(string operation, HttpRequestException e) =>
        new($"{operation}: cannot reach the Docker engine at {SocketPath}: {(e.InnerException as SocketException)?.Message ?? e.Message}", e);
}
