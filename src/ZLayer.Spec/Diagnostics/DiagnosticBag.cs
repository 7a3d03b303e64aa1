namespace ZLayer.Spec.Diagnostics;

/// <summary>Collects every problem of a load so that all of them are reported at once.</summary>
public sealed class DiagnosticBag
{
    /// <summary>
    /// Diagnostics kept per load. A real file never comes near this; a hostile one can (aliases
    /// repeating one broken block 900 times made a 10 KB file yield 900,000 errors), so past it
    /// only a note that more were dropped is kept.
    /// </summary>
    public const int MaxItems = 1000;

    private readonly List<Diagnostic> _items = [];
    private int _errors;
    private Severity? _droppedNote;

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _errors > 0;

    public int ErrorCount => _errors;

    public int WarningCount => _items.Count - _errors;

    /// <summary>No more diagnostics are kept; work done only to report more can stop.</summary>
    public bool IsFull => _items.Count >= MaxItems;

    public void Error(string code, string message, SourceLocation location, string path = "") =>
        Add(new Diagnostic(Severity.Error, code, message, location, path));

    public void Warning(string code, string message, SourceLocation location, string path = "") =>
        Add(new Diagnostic(Severity.Warning, code, message, location, path));

    public void Add(Diagnostic diagnostic)
    {
        if (!IsFull)
        {
            Keep(diagnostic);
            return;
        }

        // One note per severity, so that a dropped error still fails the load.
        if (_droppedNote is null || (diagnostic.IsError && _droppedNote == Severity.Warning))
        {
            _droppedNote = diagnostic.Severity;
            Keep(diagnostic with { Code = "too-many", Message = $"more than {MaxItems} problems; the rest are not shown" });
        }
    }

    public void AddRange(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            Add(diagnostic);
        }
    }

    private void Keep(Diagnostic diagnostic)
    {
        _items.Add(diagnostic);
        if (diagnostic.IsError)
        {
            _errors++;
        }
    }

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
