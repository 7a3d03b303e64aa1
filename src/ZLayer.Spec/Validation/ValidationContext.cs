using ZLayer.Spec.Binding;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>What every validation rule needs: the place to report to, and locations from the model.</summary>
internal sealed class ValidationContext(DeploymentSpec spec, DiagnosticBag diagnostics)
{
    /// <summary>
    /// Paths where binding already reported an error (a value of the wrong type, a missing key):
    /// a rule about the value left there would only repeat it ("needs 'name'", then "endpoint
    /// name must not be empty"), so rules stay silent about them.
    /// </summary>
    private readonly HashSet<string> _boundErrors = [.. diagnostics.Items.Where(d => d.IsError).Select(d => d.Path)];

    public DeploymentSpec Spec { get; } = spec;

    public void Error(string code, SpecObject at, string key, string message)
    {
        var path = at.PathOf(key);
        if (!_boundErrors.Contains(path) && !IsMissingRequired(at, key))
        {
            diagnostics.Error(code, message, at.LocationOf(key), path);
        }
    }

    /// <summary>An absent required key was reported by the binder (as missing, or as a misspelt key).</summary>
    private static bool IsMissingRequired(SpecObject at, string key) =>
        !at.Has(key) && SpecTypeInfo.Of(at.GetType()).ByName.TryGetValue(key, out var info) && info.Required;

    public void Warning(string code, SpecObject at, string key, string message) =>
        diagnostics.Warning(code, message, at.LocationOf(key), at.PathOf(key));

    /// <summary>An error about the object as a whole, at the place it starts.</summary>
    public void ErrorAt(string code, SpecObject at, string message) =>
        diagnostics.Error(code, message, at.Location, at.SpecPath);
}
