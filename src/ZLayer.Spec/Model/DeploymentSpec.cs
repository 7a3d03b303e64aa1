using ZLayer.Spec.Binding;

namespace ZLayer.Spec.Model;

/// <summary>A whole ZLayer v1 spec file: one deployment and its services.</summary>
public sealed class DeploymentSpec : SpecObject
{
    [SpecRequired, SpecDoc("Spec format version; must be v1.")]
    public string Version { get; set; } = "v1";

    [SpecRequired, SpecDoc("Deployment name: 3-63 letters, digits and '-', starting with a letter or digit.")]
    public string Deployment { get; set; } = "";

    public OrderedDictionary<string, ServiceSpec> Services { get; set; } = [];

    [SpecDoc("Proxy-only backends running outside ZLayer.")]
    public OrderedDictionary<string, ExternalSpec> Externals { get; set; } = [];

    public OrderedDictionary<string, TunnelSpec> Tunnels { get; set; } = [];

    public ApiSpec? Api { get; set; }
}

[SpecOpen]
public sealed class ApiSpec : SpecObject
{
    public bool Enabled { get; set; } = true;

    public string Bind { get; set; } = "0.0.0.0:3669";

    public string? JwtSecret { get; set; }

    public bool Swagger { get; set; } = true;
}

public sealed class ExternalSpec : SpecObject
{
    [SpecRequired, SpecDoc("host:port addresses of the backends; at least one.")]
    public List<string> Backends { get; set; } = [];

    public List<EndpointSpec> Endpoints { get; set; } = [];

    public HealthSpec? Health { get; set; }
}

public sealed class TunnelSpec : SpecObject
{
    [SpecRequired]
    public string From { get; set; } = "";

    [SpecRequired]
    public string To { get; set; } = "";

    [SpecRequired]
    public ushort LocalPort { get; set; }

    [SpecRequired]
    public ushort RemotePort { get; set; }

    public TransportProtocol Protocol { get; set; } = TransportProtocol.Tcp;

    public ExposeMode Expose { get; set; } = ExposeMode.Internal;
}
