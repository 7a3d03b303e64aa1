namespace ZLayer.Spec.Model;

/// <summary>
/// Environment variables of a service, in the order written. Values may hold <c>$E:</c>,
/// <c>$S:</c> and <c>${service.*}</c> references, resolved at deploy and start time.
/// </summary>
public sealed class EnvMap : OrderedDictionary<string, string>
{
    public EnvMap()
        : base(StringComparer.Ordinal)
    {
    }
}
