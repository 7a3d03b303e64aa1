using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Compose;

/// <summary>One compose file to load: read from disk, or given as text (stdin, tests).</summary>
internal sealed record ComposeInput(string FullPath, string DisplayName, string? Text);

/// <summary>
/// One compose load from start to end: the project's variables (<c>.env</c> under the process
/// environment), the project name, the merged project, the active profiles, and the model.
/// </summary>
internal sealed class ComposeImport(ComposeOptions options, DiagnosticBag diagnostics)
{
    public DeploymentSpec? Run(IReadOnlyList<ComposeInput> inputs, string projectDirectory)
    {
        var reporter = new ComposeReporter(diagnostics);
        var process = options.Environment ?? ComposeVariables.ProcessEnvironment();
        var session = new ComposeSession(reporter, ComposeLimits.Default, process);

        var files = new List<ComposeSourceFile>();
        foreach (var input in inputs)
        {
            var file = input.Text is null
                ? ComposeFileReader.ReadFile(session, input.FullPath, input.DisplayName, "compose file", SourceLocation.None(input.DisplayName), "")
                : ComposeFileReader.Parse(session, input.Text, input.FullPath, input.DisplayName);
            if (file is not null)
            {
                files.Add(file);
            }
        }

        if (files.Count == 0)
        {
            return null;
        }

        var variables = ComposeVariables.Layered(process, ReadDotEnv(session, projectDirectory, process));
        var name = ProjectNaming.Resolve(options, variables, files, projectDirectory, session);
        variables = variables.WithDefault("COMPOSE_PROJECT_NAME", name.Deployment);

        var project = new ComposeProjectLoader(session).Load(files, projectDirectory, variables, [.. files.Select(f => f.FullPath)], depth: 0);
        if (project is null)
        {
            return null;
        }

        var profiles = ProfileFilter.ActiveProfiles(options.Profiles, variables.Get("COMPOSE_PROFILES"));
        return new ComposeModelBuilder(session).Build(project, name, profiles);
    }

    /// <summary>The project's <c>.env</c>; its values may use the process environment, which also wins over them.</summary>
    private static List<KeyValuePair<string, string>> ReadDotEnv(ComposeSession session, string projectDirectory, IReadOnlyDictionary<string, string> process)
    {
        var path = Path.Combine(projectDirectory, ".env");
        if (!File.Exists(path))
        {
            return [];
        }

        var display = ComposeSession.DisplayName(path);
        var text = session.ReadText(path, ".env file", SourceLocation.None(display), "");
        if (text is null)
        {
            return [];
        }

        var entries = DotEnvParser.Parse(text, display, name => process.TryGetValue(name, out var v) ? v : null, outerWins: true, raw: false, session.Reporter, session.Limits.MaxInterpolationDepth);
        // Later lines win over earlier ones; Layered keeps the first it sees, so hand them over last-first.
        return [.. entries.AsEnumerable().Reverse().Select(e => new KeyValuePair<string, string>(e.Key, e.Value))];
    }
}
