using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Tests.Support;
using ZLayer.Proxy.Tls;
using ZLayer.Spec.Model;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

public class ProtocolTests
{
    [Fact]
    public async Task A_websocket_upgrade_passes_through_and_echoes_both_ways()
    {
        await using var backend = await StartEchoAsync();
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("ws", Endpoint(port, EndpointProtocol.Websocket), backend.Address()));

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/chat"), CancellationToken.None);

        Assert.Equal(["hello", "second message"], await EchoAsync(client));
        Assert.Equal(WebSocketState.Closed, client.State);
    }

    [Fact]
    public async Task A_websocket_over_http2_reaches_an_http1_backend_as_an_upgrade()
    {
        await using var backend = await StartEchoAsync();
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("ws", Endpoint(port, EndpointProtocol.Websocket), backend.Address()));

        using var client = new ClientWebSocket();
        client.Options.HttpVersion = HttpVersion.Version20;
        client.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        client.Options.CollectHttpResponseDetails = true;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/chat"), invoker, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, client.HttpStatusCode);
        Assert.Equal(["hello", "second message"], await EchoAsync(client));
    }

    private static Task<TestBackend> StartEchoAsync() => TestBackend.StartAsync("ws", async context =>
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
        }
    }, webSockets: true);

    private static async Task<List<string>> EchoAsync(ClientWebSocket client)
    {
        var replies = new List<string>();
        var buffer = new byte[1024];
        foreach (var text in new[] { "hello", "second message" })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            var received = await client.ReceiveAsync(buffer, CancellationToken.None);
            replies.Add(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        return replies;
    }

    [Fact]
    public async Task H2c_by_prior_knowledge_is_served_over_http2()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/h2") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("b /h2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Https_negotiates_h2_by_alpn_and_sni_picks_the_certificate_for_the_name()
    {
        var dir = Directory.CreateTempSubdirectory("zlayer-proxy-tls-");
        try
        {
            var certFile = WriteCertificate(dir.FullName, "shop.test");
            await using var backend = await TestBackend.StartAsync("b");
            await using var proxy = ProxyHarness.Create(new NodeProxyOptions { PublicAddress = IPAddress.Loopback, Certificates = [certFile] });
            var port = Ports.Free();
            await proxy.ApplyAsync(Input("b", Endpoint(port, EndpointProtocol.Https), backend.Address()));

            var (shopSubject, shopVersion, shopBody) = await GetOverTlsAsync(port, "shop.test");
            var (otherSubject, _, _) = await GetOverTlsAsync(port, "other.test");

            Assert.Equal("CN=shop.test, O=ZLayer test file", shopSubject);
            Assert.Equal(HttpVersion.Version20, shopVersion);
            Assert.Equal("b /tls", shopBody);
            Assert.Equal("CN=other.test", otherSubject);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_redirect_port_sends_plain_http_to_https()
    {
        var plain = Ports.Free();
        await using var proxy = ProxyHarness.Create(new NodeProxyOptions { PublicAddress = IPAddress.Loopback, HttpsRedirects = new Dictionary<int, int> { [plain] = 8443 } });
        await proxy.Proxy.ApplyAsync(Routing.RouteTable.Empty);

        using var response = await proxy.Client.GetAsync($"http://127.0.0.1:{plain}/a/b?c=1");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("https://127.0.0.1:8443/a/b?c=1", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Conflicting_content_length_and_transfer_encoding_cannot_smuggle_a_second_request()
    {
        var paths = new List<string>();
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            lock (paths)
            {
                paths.Add(context.Request.Path);
            }

            return context.Response.WriteAsync("ok");
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        // A request framed two ways is refused outright and the connection closed, so neither it nor
        // the bytes after it reach the backend.
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await raw.Socket.ReceiveAsync(new byte[1024], SocketFlags.None));
        Assert.Empty(paths);
    }

    [Fact]
    public async Task Bad_chunking_is_refused_with_400()
    {
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync("read it all");
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.DoesNotContain("read it all", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_headers_are_refused_before_reaching_the_backend()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync($"GET / HTTP/1.1\r\nHost: a\r\nX-Big: {new string('x', 40_000)}\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 431", response, StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task A_50_mb_upload_streams_through_to_a_slow_backend_without_buffering()
    {
        const long size = 50L * 1024 * 1024;
        long received = 0;
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                received += read;
                // A slow reader: the proxy must hold back the client, not take the body in.
                await Task.Yield();
                Thread.Sleep(received % (1024 * 1024) < read ? 5 : 0);
            }

            await context.Response.WriteAsync(received.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        GC.Collect();
        var before = GC.GetGCMemoryInfo().HeapSizeBytes;
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(10, CancellationToken.None);
            }
        });
        using var content = new StreamContent(new PatternStream(size));
        content.Headers.ContentLength = size;
        using var response = await proxy.Client.PostAsync($"http://127.0.0.1:{port}/upload", content);
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        Assert.True(peak - before < size / 2, $"heap grew by {(peak - before) / 1024 / 1024} MB while 50 MB went through");
    }

    [Fact]
    public async Task A_slow_client_downloading_50_mb_is_paced_not_buffered()
    {
        const long size = 50L * 1024 * 1024;
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            context.Response.ContentLength = size;
            await new PatternStream(size).CopyToAsync(context.Response.Body);
        });
        await using var proxy = ProxyHarness.Create();
        var port = Ports.Free();
        await proxy.ApplyAsync(Input("b", Endpoint(port), backend.Address()));

        GC.Collect();
        var before = GC.GetTotalMemory(true);
        long peak = 0, total = 0;
        using (var response = await proxy.Client.GetAsync($"http://127.0.0.1:{port}/big", HttpCompletionOption.ResponseHeadersRead))
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                total += read;
                if (total % (1024 * 1024) < read)
                {
                    // A slow reader: while it dawdles, the backend keeps writing into the proxy.
                    peak = Math.Max(peak, GC.GetTotalMemory(false));
                    Thread.Sleep(5);
                }
            }
        }

        Assert.Equal(size, total);
        Assert.True(peak - before < size / 2, $"heap grew by {(peak - before) / 1024 / 1024} MB while 50 MB went out");
    }

    private static async Task<(string Subject, Version Version, string Body)> GetOverTlsAsync(int port, string name)
    {
        X509Certificate2? seen = null;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    seen = new X509Certificate2(cert!);
                    return true;
                },
            },
        };
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{name}:{port}/tls") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.SendAsync(request);
        return (seen!.Subject, response.Version, await response.Content.ReadAsStringAsync());
    }

    private static CertificateFile WriteCertificate(string dir, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}, O=ZLayer test file", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(dir, "cert.pem");
        var keyPath = Path.Combine(dir, "key.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new CertificateFile(certPath, keyPath);
    }
}
