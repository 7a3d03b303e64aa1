using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class PortMappingTests
{
    private static List<PortMappingSpec> Ports(string ports)
    {
        var result = Load($"services:\n  web:\n    image: nginx\n    ports:\n{ports}");
        result.NoErrors();
        return result.Service("web").PortMappings;
    }

    private static string Describe(PortMappingSpec p) =>
        $"{p.HostIp}:{p.HostPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}->{p.ContainerPort}/{p.Protocol.ToString().ToLowerInvariant()}";

    [Theory]
    [InlineData("\"3000\"", "0.0.0.0:-->3000/tcp")]
    [InlineData("3000", "0.0.0.0:-->3000/tcp")]
    [InlineData("\"8080:80\"", "0.0.0.0:8080->80/tcp")]
    [InlineData("\"127.0.0.1:8080:80/udp\"", "127.0.0.1:8080->80/udp")]
    [InlineData("\"127.0.0.1::5000\"", "127.0.0.1:-->5000/tcp")]
    [InlineData("\"[::1]:6001:6001\"", "::1:6001->6001/tcp")]
    [InlineData("\"::1:6002:6002\"", "::1:6002->6002/tcp")]
    [InlineData("\"0:80\"", "0.0.0.0:-->80/tcp")]
    public void Short_syntax(string entry, string expected) =>
        Assert.Equal(expected, Describe(Assert.Single(Ports($"      - {entry}\n"))));

    [Fact]
    public void Ranges_expand_pairwise()
    {
        var ports = Ports("      - \"9090-9092:8080-8082\"\n      - \"4000-4001\"\n");
        Assert.Equal(
            ["0.0.0.0:9090->8080/tcp", "0.0.0.0:9091->8081/tcp", "0.0.0.0:9092->8082/tcp", "0.0.0.0:-->4000/tcp", "0.0.0.0:-->4001/tcp"],
            ports.Select(Describe));
    }

    [Fact]
    public void A_host_range_for_one_container_port_publishes_its_first_port_with_a_warning()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    ports: [\"127.0.0.1:5000-5010:5000\"]\n");
        Assert.Equal("127.0.0.1:5000->5000/tcp", Describe(result.Service("web").PortMappings.Single()));
        Assert.Equal("compat", result.Single("Docker picks a free host port").Code);
    }

    [Fact]
    public void Long_syntax()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                ports:
                  - target: 80
                    published: "8080"
                    host_ip: 127.0.0.1
                    protocol: tcp
                    mode: host
                  - target: 53
                    protocol: udp
                  - target: 443
                    published: 8443
                    app_protocol: https
            """);
        Assert.Equal(["127.0.0.1:8080->80/tcp", "0.0.0.0:-->53/udp", "0.0.0.0:8443->443/tcp"], result.Service("web").PortMappings.Select(Describe));
        At(result.Single("'ports.app_protocol' is not supported"), 14, 9);
    }

    [Fact]
    public void Published_ports_do_not_become_proxy_endpoints()
    {
        var result = Load("services: {web: {image: nginx, ports: ['80:80']}}");
        Assert.Empty(result.Service("web").Endpoints);
        Assert.Single(result.Service("web").PortMappings);
    }

    [Theory]
    [InlineData("\"80:80:80:80\"", "host IP '80:80' is not an IP address")]
    [InlineData("\"localhost:80:80\"", "host IP 'localhost' is not an IP address")]
    [InlineData("\"http:80\"", "published port")]
    [InlineData("\"8080:70000\"", "container port")]
    [InlineData("\"8080:0\"", "container port")]
    [InlineData("\"80/sctp\"", "protocol 'sctp' is not supported")]
    [InlineData("\"9000-9001:8000-8002\"", "differ in length")]
    [InlineData("\"8080:\"", "no container port")]
    public void Bad_port_strings_are_errors_at_the_entry(string entry, string message)
    {
        var result = Load($"services:\n  web:\n    image: nginx\n    ports:\n      - {entry}\n");
        var error = result.Single(message);
        Assert.True(error.IsError);
        At(error, 5, 9);
        Assert.Equal("services.web.ports[0]", error.Path);
        Assert.Empty(result.Service("web").PortMappings);
    }

    [Fact]
    public void Expose_is_kept_as_written_and_checked()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                expose: ["3000", 4000, "5000-5001/udp", "abc"]
            """);
        Assert.Equal(["3000", "4000", "5000-5001/udp"], result.Service("web").Expose);
        At(result.Single("invalid expose entry 'abc'"), 4, 45);
    }
}
