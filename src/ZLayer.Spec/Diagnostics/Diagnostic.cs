namespace ZLayer.Spec.Diagnostics;

public enum Severity
{
    Warning,
    Error,
}

/// <summary>One problem found in an input, with the place it was found.</summary>
/// <param name="Code">A stable, machine-readable kind, e.g. <c>unknown-key</c>.</param>
/// <param name="Path">The path inside the document, e.g. <c>services.web.endpoints[0].port</c>.</param>
public sealed record Diagnostic(Severity Severity, string Code, string Message, SourceLocation Location, string Path)
{
    public bool IsError => Severity == Severity.Error;

    public override string ToString() =>
        $"{Location}: {(IsError ? "error" : "warning")}: {Message}";
}
