using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Loading;

namespace ZLayer.Cli.Terminal;

/// <summary>Prints load diagnostics as compilers do (<c>file:line:col: error: message</c>) or as JSON.</summary>
public static class DiagnosticPrinter
{
    public static void WriteText(TextWriter writer, ConsoleStyle style, IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            var label = d.IsError ? style.Red("error") : style.Yellow("warning");
            writer.WriteLine($"{style.Bold(d.Location.ToString())}: {label}: {d.Message}");
        }
    }

    public static string Summary(LoadResult result)
    {
        var counts = $"{Plural(result.ErrorCount, "error")}, {Plural(result.WarningCount, "warning")}";
        if (!result.Succeeded)
        {
            return $"{string.Join(", ", result.Files)}: invalid ({counts})";
        }

        var spec = result.Spec!;
        var kind = result.Format == SpecFormat.Compose ? "compose file" : "spec";
        return $"{string.Join(", ", result.Files)}: valid {kind}, deployment '{spec.Deployment}' with {Plural(spec.Services.Count, "service")} ({counts})";
    }

    public static JsonObject ToJson(LoadResult result) => new()
    {
        ["valid"] = result.Succeeded,
        ["format"] = result.Format == SpecFormat.Compose ? "compose" : "zlayer",
        ["files"] = new JsonArray([.. result.Files.Select(f => JsonValue.Create(f))]),
        ["deployment"] = result.Spec?.Deployment,
        ["services"] = result.Spec is null ? null : new JsonArray([.. result.Spec.Services.Keys.Select(k => JsonValue.Create(k))]),
        ["errors"] = result.ErrorCount,
        ["warnings"] = result.WarningCount,
        ["diagnostics"] = new JsonArray([.. result.Diagnostics.Select(ToJson)]),
    };

    private static JsonObject ToJson(Diagnostic d) => new()
    {
        ["severity"] = d.IsError ? "error" : "warning",
        ["code"] = d.Code,
        ["message"] = d.Message,
        ["file"] = d.Location.File,
        ["line"] = d.Location.Line,
        ["column"] = d.Location.Column,
        ["path"] = d.Path,
    };

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
