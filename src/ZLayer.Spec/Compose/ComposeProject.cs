using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// A compose project after interpolation, path resolution, extends, merging and include: one YAML
/// map ready for mapping, plus the variables of the included projects that some services came from
/// (their env files and bare <c>environment</c> entries resolve against those, not the root's).
/// </summary>
internal sealed class ComposeProject(YMapping root, ComposeVariables variables, IReadOnlyDictionary<string, ComposeVariables> includedServiceVariables)
{
    public YMapping Root { get; } = root;

    public ComposeVariables Variables { get; } = variables;

    public ComposeVariables VariablesOf(string service) =>
        includedServiceVariables.TryGetValue(service, out var own) ? own : Variables;
}
