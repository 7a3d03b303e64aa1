using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class ExternalAndTunnelRuleTests
{
    private static string External(string body) =>
        "version: v1\ndeployment: demo\nexternals:\n  media:\n" + Indent(body, 4) + "\n";

    [Fact]
    public void External_with_backends_and_endpoints_is_valid()
    {
        var result = Load(External("backends: [\"100.64.1.5:8096\", \"nas.lan:8096\", \"[fd00::5]:8096\"]\nendpoints: [{ name: media, protocol: http, port: 8096, host: media.example.com }]\nhealth: { check: { type: http, url: \"http://100.64.1.5:8096/health\" } }"));
        AssertClean(result);
        Assert.Equal(3, result.Spec!.Externals["media"].Backends.Count);
    }

    [Fact]
    public void External_needs_at_least_one_backend()
    {
        var yaml = External("backends: []");
        var error = SingleError(Load(yaml));
        Assert.Equal("external 'media' needs at least one backend address", error.Message);
        Assert.Equal("externals.media.backends", error.Path);
        AssertAt(error, yaml, "backends");
    }

    [Fact]
    public void Missing_backends_is_one_error()
    {
        var error = SingleError(Load(External("endpoints: []")));
        Assert.Equal("'externals.media' needs 'backends'", error.Message);
    }

    [Theory]
    [InlineData("100.64.1.5")]
    [InlineData("nas.lan:0")]
    [InlineData("nas.lan:99999")]
    [InlineData(":8096")]
    [InlineData("nas.lan:http")]
    public void Backends_must_be_host_colon_port(string backend)
    {
        var error = SingleError(Load(External($"backends: [\"{backend}\"]")));
        Assert.Equal($"backend '{backend}' of external 'media' must be HOST:PORT", error.Message);
    }

    [Fact]
    public void External_endpoints_follow_the_endpoint_rules()
    {
        var error = SingleError(Load(External("backends: [\"a:1\"]\nendpoints: [{ name: m, protocol: tcp, port: 0 }]")));
        Assert.Equal("endpoint port must be 1-65535", error.Message);
        Assert.Equal("externals.media.endpoints[0].port", error.Path);
    }

    [Fact]
    public void External_health_follows_the_health_rules()
    {
        var error = SingleError(Load(External("backends: [\"a:1\"]\nhealth: { check: { type: http, url: \"ftp://x\" } }")));
        Assert.Equal("url 'ftp://x' must be an absolute http(s) URL or a path such as /health", error.Message);
    }

    [Fact]
    public void Tunnels_bind_with_defaults()
    {
        var result = Load("version: v1\ndeployment: demo\ntunnels:\n  nas-to-edge: { from: nas, to: edge, local_port: 8096, remote_port: 8097 }\n");
        AssertClean(result);
        var tunnel = result.Spec!.Tunnels["nas-to-edge"];
        Assert.Equal((TransportProtocol.Tcp, ExposeMode.Internal, (ushort)8097), (tunnel.Protocol, tunnel.Expose, tunnel.RemotePort));
    }

    [Theory]
    [InlineData("local_port: 0, remote_port: 1", "tunnel local_port must not be 0", "local_port")]
    [InlineData("local_port: 1, remote_port: 0", "tunnel remote_port must not be 0", "remote_port")]
    public void Tunnel_ports_must_not_be_0(string ports, string message, string key)
    {
        var yaml = $"version: v1\ndeployment: demo\ntunnels:\n  t: {{ from: a, to: b, {ports} }}\n";
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        Assert.Equal($"tunnels.t.{key}", error.Path);
        AssertAt(error, yaml, "0", after: key);
    }

    [Fact]
    public void Missing_tunnel_ports_are_one_error_each()
    {
        var errors = Errors(Load("version: v1\ndeployment: demo\ntunnels:\n  t: { from: a, to: b }\n"));
        Assert.Equal(["'tunnels.t' needs 'local_port'", "'tunnels.t' needs 'remote_port'"], errors.Select(e => e.Message));
    }

    [Fact]
    public void Endpoint_tunnel_max_ttl_is_a_duration()
    {
        var error = SingleError(Load(OneService("endpoints: [{ name: s, protocol: tcp, port: 22, tunnel: { enabled: true, access: { enabled: true, max_ttl: forever } } }]")));
        Assert.StartsWith("'services.web.endpoints[0].tunnel.access.max_ttl': invalid duration 'forever'", error.Message);
        AssertClean(Load(OneService("endpoints: [{ name: s, protocol: tcp, port: 22, tunnel: { enabled: true, remote_port: 0, access: { enabled: true, max_ttl: 4h, audit: true } } }]")));
    }
}
