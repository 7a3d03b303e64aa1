using ZLayer.Spec.Binding;

namespace ZLayer.Spec.Model;

public sealed class NetworkSpec : SpecObject
{
    public NetworkOverlays? Overlays { get; set; }

    public NetworkJoin? Join { get; set; }
}

public sealed class NetworkOverlays : SpecObject
{
    public OverlaySettings? Service { get; set; }

    public OverlaySettings? Global { get; set; }
}

public sealed class OverlaySettings : SpecObject
{
    public bool Enabled { get; set; } = true;

    public bool Encrypted { get; set; } = true;

    public bool Isolated { get; set; }
}

public sealed class NetworkJoin : SpecObject
{
    public JoinMode Mode { get; set; } = JoinMode.Token;

    public JoinScope Scope { get; set; } = JoinScope.Service;
}

[SpecOpen]
public sealed class ServiceOverlaySpec : SpecObject
{
    public OverlayMode Mode { get; set; } = OverlayMode.Auto;

    public string? Parent { get; set; }
}
