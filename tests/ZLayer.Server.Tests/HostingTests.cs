using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Api;
using ZLayer.Control.State;

namespace ZLayer.Server.Tests;

/// <summary>Listeners and health: the Unix socket's life cycle, liveness and readiness.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostingTests
{
    [Fact]
    public async Task Health_is_live_and_ready_while_the_store_answers()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var live = await daemon.Http.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await daemon.Http.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (string?)(await DeploymentApiTests.JsonAsync(ready))["status"]);

        daemon.Store.FailWith = "disk I/O error";
        using var notReady = await daemon.Http.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("application/problem+json", notReady.Content.Headers.ContentType?.MediaType);
        Assert.Equal("disk I/O error", (string?)(await DeploymentApiTests.JsonAsync(notReady))["detail"]);
        using var stillLive = await daemon.Http.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, stillLive.StatusCode);
    }

    [Fact]
    public async Task The_unix_socket_serves_the_same_api_with_mode_0660()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Unix, Specs.Demo)).Dispose();
        using var response = await daemon.Unix.GetAsync("api/v1/deployments/demo");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(daemon.SocketPath));
        using var record = await daemon.Unix.GetAsync("api/v1/deployments/demo/spec");
        Assert.Equal("api (local socket)", (string?)(await DeploymentApiTests.JsonAsync(record))["deployedBy"]);
    }

    [Fact]
    public async Task A_stale_socket_is_replaced_a_live_one_is_not_and_a_clean_stop_removes_it()
    {
        var directory = Directory.CreateTempSubdirectory("zls-").FullName;
        var socket = Path.Combine(directory, "sub", "api.sock");
        try
        {
            // A socket file nobody listens on, as a killed daemon leaves behind (bound, never
            // listening: connecting is refused, and .NET would delete the file if it were closed).
            Directory.CreateDirectory(Path.GetDirectoryName(socket)!);
            using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            dead.Bind(new UnixDomainSocketEndPoint(socket));
            Assert.True(File.Exists(socket));
            var store = await TestStores.CreateAsync();
            var control = new ControlPlane(new StateRepository(store), new EventLog(store, TimeProvider.System), TimeProvider.System);
            var options = new ApiServerOptions { SocketPath = socket, TcpEndpoint = null };
            var app = ApiServer.Build(options, control, b => b.Logging.ClearProviders());
            await app.StartAsync();
            using (var client = TestDaemon.UnixClient(socket))
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/live")).StatusCode);
            }

            var refused = Assert.Throws<IOException>(() => ApiServer.Build(options, control, b => b.Logging.ClearProviders()));
            Assert.Contains("already listening", refused.Message);

            Assert.True(File.Exists(socket));

            await app.StopAsync();
            await app.DisposeAsync();
            Assert.False(File.Exists(socket));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_server_needs_at_least_one_listener()
    {
        var store = new InMemoryStateStore();
        var control = new ControlPlane(new StateRepository(store), new EventLog(store, TimeProvider.System), TimeProvider.System);
        Assert.Throws<ArgumentException>(() => ApiServer.Build(new ApiServerOptions { SocketPath = null, TcpEndpoint = null }, control));
    }

    [Theory]
    [InlineData("127.0.0.1:3669", "127.0.0.1:3669")]
    [InlineData("[::]:4000", "[::]:4000")]
    [InlineData("localhost:8080", "127.0.0.1:8080")]
    [InlineData("off", null)]
    [InlineData("", null)]
    public void Tcp_listen_addresses_parse(string text, string? expected)
    {
        Assert.True(ApiServerOptions.TryParseTcp(text, out var endpoint, out _));
        Assert.Equal(expected, endpoint?.ToString());
    }

    [Theory]
    [InlineData("3669")]
    [InlineData("example.com:80")]
    [InlineData("127.0.0.1:0")]
    public void Bad_tcp_listen_addresses_are_explained(string text)
    {
        Assert.False(ApiServerOptions.TryParseTcp(text, out _, out var error));
        Assert.Contains("IP:PORT", error);
    }
}
