using ZLayer.Spec.Compose;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>A throwaway project directory for tests that need files on disk (.env, env_file, include, extends).</summary>
internal sealed class TempProject : IDisposable
{
    public TempProject()
    {
        Directory = Path.Combine(Path.GetTempPath(), "zlayer-compose-tests", Guid.NewGuid().ToString("N"), "shop");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    public string Write(string relative, string content)
    {
        var path = PathOf(relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
}

internal sealed record LoadResult(DeploymentSpec? Spec, DiagnosticBag Diagnostics)
{
    public DeploymentSpec Model => Spec ?? throw new Xunit.Sdk.XunitException($"no model; diagnostics:\n{Dump()}");

    public ServiceSpec Service(string name) =>
        Model.Services.TryGetValue(name, out var service) ? service : throw new Xunit.Sdk.XunitException($"no service '{name}'; diagnostics:\n{Dump()}");

    public IReadOnlyList<Diagnostic> Errors => [.. Diagnostics.Items.Where(d => d.IsError)];

    public IReadOnlyList<Diagnostic> Warnings => [.. Diagnostics.Items.Where(d => !d.IsError)];

    /// <summary>The one diagnostic whose message contains <paramref name="text"/>; fails with all diagnostics listed otherwise.</summary>
    public Diagnostic Single(string text)
    {
        var matches = Diagnostics.Items.Where(d => d.Message.Contains(text, StringComparison.Ordinal)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new Xunit.Sdk.XunitException($"expected one diagnostic containing \"{text}\", found {matches.Count}:\n{Dump()}");
    }

    public void NoErrors()
    {
        if (Diagnostics.HasErrors)
        {
            throw new Xunit.Sdk.XunitException($"unexpected errors:\n{Dump()}");
        }
    }

    public void Clean()
    {
        if (Diagnostics.Items.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"unexpected diagnostics:\n{Dump()}");
        }
    }

    public string Dump() => string.Join("\n", Diagnostics.Items.Select(d => $"{d} [{d.Code}]"));
}

internal static class ComposeTestKit
{
    /// <summary>Where text-loaded test projects live; nothing is read from here unless a test writes it.</summary>
    public const string VirtualProject = "/nonexistent/zlayer-tests/shop";

    public const string FileName = "compose.yaml";

    public static ComposeOptions Options(IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? profiles = null, string? projectName = null) =>
        new()
        {
            Environment = environment ?? new Dictionary<string, string>(),
            Profiles = profiles ?? [],
            ProjectName = projectName,
        };

    public static LoadResult Load(string yaml, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? profiles = null, string? baseDirectory = null, string? projectName = null)
    {
        var diagnostics = new DiagnosticBag();
        var spec = ComposeLoader.LoadText(yaml, FileName, baseDirectory ?? VirtualProject, Options(environment, profiles, projectName), diagnostics);
        return new LoadResult(spec, diagnostics);
    }

    public static LoadResult LoadFiles(IReadOnlyList<string> files, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? profiles = null)
    {
        var diagnostics = new DiagnosticBag();
        var spec = ComposeLoader.Load(files, Options(environment, profiles), diagnostics);
        return new LoadResult(spec, diagnostics);
    }

    public static Dictionary<string, string> Env(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public static void At(Diagnostic diagnostic, int line, int column, string file = FileName)
    {
        Assert.Equal(file, diagnostic.Location.File);
        Assert.Equal((line, column), (diagnostic.Location.Line, diagnostic.Location.Column));
    }
}
