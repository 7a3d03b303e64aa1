using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Loading;

namespace ZLayer.Spec.Tests;

internal static class SpecTestHelpers
{
    public const string File = "test.zlayer.yaml";

    public static LoadResult Load(string yaml, bool strict = false) =>
        SpecLoader.LoadText(yaml, File, new LoadOptions { Strict = strict, Format = SpecFormat.ZLayer });

    /// <summary>A valid spec with one service, with <paramref name="serviceBody"/> appended (indented 4 spaces).</summary>
    public static string OneService(string serviceBody, string name = "web") =>
        $"version: v1\ndeployment: demo\nservices:\n  {name}:\n    image: {{ name: nginx:alpine }}\n" +
        Indent(serviceBody, 4) + "\n";

    /// <summary>A spec with the given <c>services:</c> body (indented 2 spaces) and optional top-level text.</summary>
    public static string Services(string servicesBody, string topLevel = "") =>
        "version: v1\ndeployment: demo\n" + (topLevel.Length > 0 ? topLevel.TrimEnd('\n') + "\n" : "") + "services:\n" + Indent(servicesBody, 2) + "\n";

    public static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    public static List<Diagnostic> Errors(LoadResult result) => [.. result.Diagnostics.Where(d => d.IsError)];

    public static List<Diagnostic> Warnings(LoadResult result) => [.. result.Diagnostics.Where(d => !d.IsError)];

    public static string Describe(LoadResult result) =>
        result.Diagnostics.Count == 0 ? "(no diagnostics)" : string.Join("\n", result.Diagnostics.Select(d => $"[{d.Code}] {d} (path {d.Path})"));

    public static Diagnostic SingleError(LoadResult result)
    {
        var errors = Errors(result);
        Assert.True(errors.Count == 1, "expected one error, got:\n" + Describe(result));
        return errors[0];
    }

    public static Diagnostic SingleWarning(LoadResult result)
    {
        var warnings = Warnings(result);
        Assert.True(warnings.Count == 1, "expected one warning, got:\n" + Describe(result));
        return warnings[0];
    }

    public static void AssertValid(LoadResult result)
    {
        Assert.True(result.Succeeded, "expected a valid spec, got:\n" + Describe(result));
    }

    /// <summary>Valid and without any warning.</summary>
    public static void AssertClean(LoadResult result)
    {
        Assert.True(result.Succeeded && result.Diagnostics.Count == 0, "expected no diagnostics, got:\n" + Describe(result));
    }

    /// <summary>The 1-based line and column where <paramref name="marker"/> first occurs (after <paramref name="after"/>, if given).</summary>
    public static (int Line, int Column) PositionOf(string yaml, string marker, string? after = null)
    {
        var start = after is null ? 0 : yaml.IndexOf(after, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{after}' is not in the test YAML");
        var index = yaml.IndexOf(marker, start, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{marker}' is not in the test YAML");
        var line = 1 + yaml.AsSpan(0, index).Count('\n');
        var column = index - (yaml.LastIndexOf('\n', Math.Max(0, index - 1)) + 1) + 1;
        if (index == 0)
        {
            column = 1;
        }

        return (line, column);
    }

    /// <summary>Asserts the diagnostic points at the first occurrence of <paramref name="marker"/> in <paramref name="yaml"/>.</summary>
    public static void AssertAt(Diagnostic diagnostic, string yaml, string marker, string? after = null)
    {
        var (line, column) = PositionOf(yaml, marker, after);
        Assert.Equal($"{File}:{line}:{column}", diagnostic.Location.ToString());
    }

    /// <summary>The one error of a spec that differs from a valid one by <paramref name="serviceBody"/>; asserts its text.</summary>
    public static Diagnostic ErrorFor(string serviceBody, string expectedMessagePart)
    {
        var error = SingleError(Load(OneService(serviceBody)));
        Assert.Contains(expectedMessagePart, error.Message);
        return error;
    }
}
