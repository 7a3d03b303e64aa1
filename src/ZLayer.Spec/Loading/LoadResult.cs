using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Loading;

/// <summary>The outcome of loading: the model when usable, and every diagnostic in a stable order.</summary>
public sealed record LoadResult(DeploymentSpec? Spec, IReadOnlyList<Diagnostic> Diagnostics, SpecFormat Format, IReadOnlyList<string> Files)
{
    public bool Succeeded => Spec is not null && !Diagnostics.Any(d => d.IsError);

    public int ErrorCount => Diagnostics.Count(d => d.IsError);

    public int WarningCount => Diagnostics.Count(d => !d.IsError);
}
