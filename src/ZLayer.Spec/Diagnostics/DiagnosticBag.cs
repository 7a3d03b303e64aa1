namespace ZLayer.Spec.Diagnostics;

/// <summary>Collects every problem of a load so that all of them are reported at once.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Any(d => d.IsError);

    public int ErrorCount => _items.Count(d => d.IsError);

    public int WarningCount => _items.Count(d => !d.IsError);

    public void Error(string code, string message, SourceLocation location, string path = "") =>
        _items.Add(new Diagnostic(Severity.Error, code, message, location, path));

    public void Warning(string code, string message, SourceLocation location, string path = "") =>
        _items.Add(new Diagnostic(Severity.Warning, code, message, location, path));

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Stable order for output: by file, then position, then errors before warnings.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. _items
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.Location.File, StringComparer.Ordinal)
            .ThenBy(x => x.d.Location.Line)
            .ThenBy(x => x.d.Location.Column)
            .ThenBy(x => x.i)
            .Select(x => x.d)];
}
