namespace ZLayer.Proxy.Routing;

/// <summary>A built table, or the conflicts that stopped it (never both).</summary>
public sealed record RouteTableResult(RouteTable? Table, IReadOnlyList<RouteConflict> Conflicts)
{
    public bool Succeeded => Table is not null;
}
