using ZLayer.TestImages.Tools;

namespace ZLayer.EndToEnd;

/// <summary>
/// A real daemon with its API on TCP: the admin token it makes on the first start, a viewer token
/// made with `zlayer token create` over the socket, used over TCP through ZLAYER_TOKEN, and revoked.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ApiAuthTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new() { Api = $"127.0.0.1:{LoopbackPort.Free()}" };

    public Task InitializeAsync() => _daemon.StartAsync();

    public Task DisposeAsync() => _daemon.DisposeAsync().AsTask();

    [Fact]
    public async Task A_viewer_token_reads_over_tcp_cannot_scale_and_is_refused_once_revoked()
    {
        // The first start made an admin token, owner-only; its stderr is a file here, so it named the file, not the token.
        var adminFile = Path.Combine(_daemon.DataDir, "api-admin.token");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(adminFile));
        var admin = (await File.ReadAllTextAsync(adminFile)).Trim();
        var log = await File.ReadAllTextAsync(_daemon.DaemonLog);
        Assert.Contains("an admin token for the API was made", log);
        Assert.DoesNotContain(admin, log);

        var deploy = await _daemon.RunAsync("deploy", _daemon.WriteSpec("auth.zlayer.yaml", """
            version: v1
            deployment: guarded
            services:
              web:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
                scale: { mode: fixed, replicas: 1 }
            """));
        Assert.True(deploy.ExitCode == 0, deploy.Stderr);

        var create = await _daemon.RunAsync("token", "create", "--role", "viewer", "--ttl", "1h", "--name", "e2e");
        Assert.True(create.ExitCode == 0, create.Stderr);
        var viewer = create.Stdout.TrimEnd('\n').Split('\n')[^1];
        var id = create.Stderr.Split(' ')[1];

        var overTcp = new Dictionary<string, string>(_daemon.Environment)
        {
            ["ZLAYER_HOST"] = "http://" + _daemon.Api,
            ["ZLAYER_TOKEN"] = viewer,
        };
        var ps = await ZLayerProcess.RunAsync(_daemon.Root, overTcp, "ps");
        Assert.True(ps.ExitCode == 0, ps.Stderr);
        Assert.Contains("web", ps.Stdout);

        var scale = await ZLayerProcess.RunAsync(_daemon.Root, overTcp, "scale", "web=2");
        Assert.Equal(1, scale.ExitCode);
        Assert.Contains("zlayer: error: the token 'e2e' has the viewer role, which cannot POST /api/v1/deployments/guarded/services/web/scale: that needs operator or higher", scale.Stderr);

        var asAdmin = new Dictionary<string, string>(overTcp) { ["ZLAYER_TOKEN"] = admin };
        Assert.Equal(0, (await ZLayerProcess.RunAsync(_daemon.Root, asAdmin, "scale", "web=2")).ExitCode);

        var revoke = await _daemon.RunAsync("token", "revoke", id);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        var refused = await ZLayerProcess.RunAsync(_daemon.Root, overTcp, "ps");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("zlayer: error: the daemon refused the token: revoked at ", refused.Stderr);

        var none = await ZLayerProcess.RunAsync(_daemon.Root, new Dictionary<string, string>(overTcp) { ["ZLAYER_TOKEN"] = "" }, "ps");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no token", none.Stderr);
    }

}
