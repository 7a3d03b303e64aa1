using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>Writes compose diagnostics, each at the node it is about and with its document path.</summary>
internal sealed class ComposeReporter(DiagnosticBag diagnostics)
{
    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public void Error(string code, string message, YNode at, string path) =>
        Diagnostics.Error(code, message, at.Location, path);

    public void Error(string code, string message, SourceLocation at, string path) =>
        Diagnostics.Error(code, message, at, path);

    public void Warning(string code, string message, YNode at, string path) =>
        Diagnostics.Warning(code, message, at.Location, path);

    public void Warning(string code, string message, SourceLocation at, string path) =>
        Diagnostics.Warning(code, message, at, path);

    /// <summary>A compose field this importer does not carry over: always said, never silently dropped.</summary>
    public void Unsupported(string field, YNode at, string path, string? why = null) =>
        Diagnostics.Warning(
            ComposeCodes.Compat,
            $"compose field '{field}' is not supported and is ignored{(why is null ? "" : "; " + why)}",
            at.Location,
            path);

    /// <summary>A compose field that is read, but whose meaning is carried over only in part.</summary>
    public void Approximated(string message, YNode at, string path) =>
        Diagnostics.Warning(ComposeCodes.Compat, message, at.Location, path);
}
