using System.Text.Json;
using System.Text.RegularExpressions;

namespace ZLayer.EndToEnd;

/// <summary>
/// Every spec under <c>examples/</c> is something users copy: each must validate with the real
/// <c>zlayer</c> and dump to a model that names the same deployment.
/// </summary>
public sealed partial class ExamplesTests
{
    private static readonly string Root = ZLayerProcess.RepositoryRoot;

    /// <summary>Every *.yaml and *.yml file under examples/, as a path relative to the repository root.</summary>
    public static TheoryData<string> ExampleFiles()
    {
        var examples = Path.Combine(Root, "examples");
        var files = Directory.EnumerateFiles(examples, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        return [.. files];
    }

    [Fact]
    public void Examples_exist()
    {
        Assert.NotEmpty(ExampleFiles());
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async Task Example_validates(string file)
    {
        var result = await ZLayerProcess.RunAsync(Root, "validate", file);
        Assert.True(result.ExitCode == 0, $"zlayer validate {file} exited {result.ExitCode}:\n{result.Stdout}{result.Stderr}");
        Assert.Matches(ValidSummary(), result.Stdout);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async Task Example_dumps_as_json_with_its_deployment(string file)
    {
        var validate = await ZLayerProcess.RunAsync(Root, "validate", file, "-o", "json");
        Assert.True(validate.ExitCode == 0, $"zlayer validate {file} -o json exited {validate.ExitCode}:\n{validate.Stdout}{validate.Stderr}");
        using var report = JsonDocument.Parse(validate.Stdout);
        var expected = report.RootElement.GetProperty("deployment").GetString();
        Assert.False(string.IsNullOrEmpty(expected));

        var dump = await ZLayerProcess.RunAsync(Root, "spec", "dump", file, "-o", "json");
        Assert.True(dump.ExitCode == 0, $"zlayer spec dump {file} -o json exited {dump.ExitCode}:\n{dump.Stderr}");
        using var model = JsonDocument.Parse(dump.Stdout);
        Assert.Equal("v1", model.RootElement.GetProperty("version").GetString());
        Assert.Equal(expected, model.RootElement.GetProperty("deployment").GetString());

        // A native spec names its deployment itself; the dump must keep it as written.
        var written = DeploymentKey().Match(await File.ReadAllTextAsync(Path.Combine(Root, file)));
        if (written.Success)
        {
            Assert.Equal(written.Groups[1].Value, expected);
        }

        var services = model.RootElement.GetProperty("services").EnumerateObject().Select(p => p.Name);
        var reported = report.RootElement.GetProperty("services").EnumerateArray().Select(s => s.GetString());
        Assert.Equal(reported, services);
    }

    [GeneratedRegex(@"^\S+: valid (spec|compose file), deployment '[^']+'", RegexOptions.Multiline)]
    private static partial Regex ValidSummary();

    [GeneratedRegex(@"^deployment:\s*[""']?([A-Za-z0-9-]+)", RegexOptions.Multiline)]
    private static partial Regex DeploymentKey();
}
