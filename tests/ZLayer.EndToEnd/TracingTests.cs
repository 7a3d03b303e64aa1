using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ZLayer.TestImages.Tools;

namespace ZLayer.EndToEnd;

/// <summary>
/// OTLP export from a live daemon: with OTEL_EXPORTER_OTLP_ENDPOINT set (http/protobuf), a
/// collector stand-in receives the deploy span, reconcile spans and the proxy's span of a request,
/// the deploy and the request each in the trace their client's traceparent named.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TracingTests : IAsyncLifetime
{
    private const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string DeployTraceId = "5c1e2f0a9b8d47e6a3f2c1d0e9f8a7b6";

    private readonly DaemonFixture _daemon = new();
    private readonly OtlpReceiver _receiver = new();
    private readonly int _proxyPort = LoopbackPort.Free();

    public Task InitializeAsync()
    {
        _daemon.ExtraArgs.AddRange(["--no-dns"]);
        _daemon.DaemonEnvironment["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.Endpoint;
        _daemon.DaemonEnvironment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        _daemon.DaemonEnvironment["OTEL_SERVICE_NAME"] = "zlayer-e2e";
        // Export every 200 ms instead of every 5 s, so the test waits less.
        _daemon.DaemonEnvironment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        return _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _receiver.Dispose();
    }

    [Fact]
    public async Task Deploy_reconcile_and_proxy_spans_reach_the_otlp_endpoint()
    {
        var spec = _daemon.WriteSpec("traced.zlayer.yaml", $$"""
            version: v1
            deployment: traced
            services:
              web:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints:
                  - { name: http, protocol: http, port: {{_proxyPort}}, expose: public }
            """);

        // Through the API with the client's trace context, as a traced script would deploy.
        var post = new ProcessStartInfo("curl",
            ["-sS", "--fail", "--unix-socket", _daemon.Socket, "-H", "Content-Type: application/yaml",
             "-H", $"traceparent: 00-{DeployTraceId}-a1b2c3d4e5f60718-01",
             "--data-binary", "@" + spec, "http://localhost/api/v1/deployments?source=traced.zlayer.yaml"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var deploy = Process.Start(post)!;
        var answer = await deploy.StandardOutput.ReadToEndAsync() + await deploy.StandardError.ReadToEndAsync();
        await deploy.WaitForExitAsync();
        Assert.True(deploy.ExitCode == 0, answer);

        using var http = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_proxyPort}/");
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{ClientTraceId}-b7ad6b7169203331-01");
            using var response = await http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "the proxy answering from the replica");

        // Strings are plain UTF-8 in the protobuf body, trace ids their 16 raw bytes.
        string[] expected = ["deploy", "reconcile scheduler", "reconcile node-agent", "reconcile service-discovery", "proxy GET"];
        await Eventually.HoldsAsync(
            () => Task.FromResult(expected.All(_receiver.ReceivedSpan) && _receiver.Received("zlayer-e2e"u8.ToArray()) && _receiver.Received(Convert.FromHexString(ClientTraceId)) && _receiver.Received(Convert.FromHexString(DeployTraceId))),
            TimeSpan.FromSeconds(60),
            $"spans {string.Join(", ", expected)} and the clients' trace ids exported (got {_receiver.Requests} exports)");
        Assert.All(_receiver.Paths, path => Assert.Equal("/v1/traces", path));
    }

    /// <summary>A stand-in OTLP/HTTP collector: takes every POST, keeps its body, answers 200 with an empty export response.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<byte[]> _bodies = new();
        private readonly ConcurrentQueue<string> _paths = new();

        public OtlpReceiver()
        {
            var port = LoopbackPort.Free();
            Endpoint = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _ = ServeAsync();
        }

        public string Endpoint { get; }

        public int Requests => _bodies.Count;

        public IEnumerable<string> Paths => _paths;

        /// <summary>Whether a span of that name came: Span.name is field 5, length-delimited, so its bytes follow 0x2A and the length.</summary>
        public bool ReceivedSpan(string name)
        {
            var text = Encoding.UTF8.GetBytes(name);
            return Received([0x2A, (byte)text.Length, .. text]);
        }

        public bool Received(byte[] bytes) => _bodies.Any(b => b.AsSpan().IndexOf(bytes) >= 0);

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _paths.Enqueue(context.Request.Url!.AbsolutePath);
                _bodies.Enqueue(body.ToArray());
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }
    }
}
