using ZLayer.Proxy.Routing;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Tests.Support;

/// <summary>Short ways to write the endpoints and route inputs the tests use.</summary>
internal static class Routes
{
    public static EndpointSpec Endpoint(int port, EndpointProtocol protocol = EndpointProtocol.Http, string? host = null, string? path = null,
        ExposeMode expose = ExposeMode.Public, string name = "web") =>
        new() { Name = name, Protocol = protocol, Port = (ushort)port, Host = host, Path = path, Expose = expose };

    public static RouteInput Input(string service, EndpointSpec endpoint, params BackendAddress[] backends) =>
        new("demo", service, endpoint, backends);

    public static RouteTable Table(params RouteInput[] inputs)
    {
        var result = RouteTable.Build(inputs);
        Assert.True(result.Succeeded, string.Join("; ", result.Conflicts));
        return result.Table!;
    }
}
