using ZLayer.Cli.Client;
using ZLayer.Cli.Commands;
using ZLayer.Control;

namespace ZLayer.Server.Tests;

/// <summary>How the client and the daemon agree on where the API is, and how the client reads ZLAYER_HOST.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("unix:///run/zlayer/zlayer.sock", "unix:///run/zlayer/zlayer.sock", "/run/zlayer/zlayer.sock", "http://localhost/")]
    [InlineData("/tmp/z.sock", "unix:///tmp/z.sock", "/tmp/z.sock", "http://localhost/")]
    [InlineData("http://10.0.0.1:4000", "http://10.0.0.1:4000", null, "http://10.0.0.1:4000/")]
    [InlineData("http://node-a", "http://node-a:3669", null, "http://node-a:3669/")]
    [InlineData("tcp://node-a:5000", "http://node-a:5000", null, "http://node-a:5000/")]
    [InlineData("node-a:5000", "http://node-a:5000", null, "http://node-a:5000/")]
    [InlineData("https://zlayer.example.com", "https://zlayer.example.com", null, "https://zlayer.example.com/")]
    [InlineData("http://[::1]:3669", "http://[::1]:3669", null, "http://[::1]:3669/")]
    public void Zlayer_host_values_parse(string text, string display, string? socket, string baseUri)
    {
        Assert.True(DaemonAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(display, address.Display);
        Assert.Equal(socket, address.SocketPath);
        Assert.Equal(baseUri, address.BaseUri.ToString());
    }

    [Theory]
    [InlineData("unix://relative.sock")]
    [InlineData("ftp://host")]
    [InlineData("http://")]
    public void Bad_zlayer_host_values_are_explained(string text)
    {
        Assert.False(DaemonAddress.TryParse(text, out _, out var error));
        Assert.Contains("ZLAYER_HOST", error);
    }

    [Fact]
    public void Root_uses_the_system_directories()
    {
        var paths = new ZLayerPaths(_ => null, isRoot: true, uid: 0);
        Assert.Equal("/run/zlayer/zlayer.sock", paths.DefaultSocket);
        Assert.Equal("unix:///run/zlayer/zlayer.sock", paths.Host);
        Assert.Equal("/var/lib/zlayer", paths.DataDirectory);
    }

    [Fact]
    public void A_user_gets_the_xdg_directories_or_a_per_uid_fallback()
    {
        var xdg = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = "/run/user/1000", ["XDG_DATA_HOME"] = "/home/kai/.data", ["HOME"] = "/home/kai" };
        var user = new ZLayerPaths(xdg.GetValueOrDefault, isRoot: false, uid: 1000);
        Assert.Equal("/run/user/1000/zlayer/zlayer.sock", user.DefaultSocket);
        Assert.Equal("/home/kai/.data/zlayer", user.DataDirectory);

        var bare = new ZLayerPaths(new Dictionary<string, string> { ["HOME"] = "/home/kai" }.GetValueOrDefault, isRoot: false, uid: 1000);
        Assert.Equal("/tmp/zlayer-1000/zlayer.sock", bare.DefaultSocket);
        Assert.Equal("/home/kai/.local/share/zlayer", bare.DataDirectory);
    }

    [Fact]
    public void Environment_variables_override_the_defaults()
    {
        var env = new Dictionary<string, string> { ["ZLAYER_HOST"] = "http://elsewhere:3669", ["ZLAYER_DATA_DIR"] = "/srv/zlayer" };
        var paths = new ZLayerPaths(env.GetValueOrDefault, isRoot: true, uid: 0);
        Assert.Equal("http://elsewhere:3669", paths.Host);
        Assert.Equal("/srv/zlayer", paths.DataDirectory);
    }

    [Fact]
    public void Since_takes_a_duration_or_a_time()
    {
        var now = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);
        Assert.True(EventsCommand.TryParseSince("10m", now, out var ago, out _));
        Assert.Equal(now.AddMinutes(-10), ago);
        Assert.True(EventsCommand.TryParseSince("2026-01-30T08:00:00Z", now, out var time, out _));
        Assert.Equal(new DateTimeOffset(2026, 1, 30, 8, 0, 0, TimeSpan.Zero), time);
        Assert.True(EventsCommand.TryParseSince("2026-01-30T08:00:00", now, out var local, out _));
        Assert.Equal(TimeSpan.Zero, local!.Value.Offset);
        Assert.False(EventsCommand.TryParseSince("whenever", now, out _, out var error));
        Assert.Contains("neither a duration", error);
    }
}
