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
        string.Join("\n", serviceBody.Split('\n').Select(l => l.Length == 0 ? l : "    " + l)) + "\n";

    public static Diagnostic SingleError(LoadResult result)
    {
        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", result.Diagnostics));
        return errors[0];
    }

    public static void AssertValid(LoadResult result)
    {
        Assert.True(result.Succeeded, "expected a valid spec, got:\n" + string.Join("\n", result.Diagnostics));
    }
}
