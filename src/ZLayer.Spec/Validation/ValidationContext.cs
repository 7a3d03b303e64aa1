using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>What every validation rule needs: the place to report to, and locations from the model.</summary>
internal sealed class ValidationContext(DeploymentSpec spec, DiagnosticBag diagnostics)
{
    public DeploymentSpec Spec { get; } = spec;

    public void Error(string code, SpecObject at, string key, string message) =>
        diagnostics.Error(code, message, at.LocationOf(key), at.PathOf(key));

    public void Warning(string code, SpecObject at, string key, string message) =>
        diagnostics.Warning(code, message, at.LocationOf(key), at.PathOf(key));

    /// <summary>An error about the object as a whole, at the place it starts.</summary>
    public void ErrorAt(string code, SpecObject at, string message) =>
        diagnostics.Error(code, message, at.Location, at.SpecPath);
}
