using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Turns the files of one project into one merged map: each file is interpolated, has its paths made
/// absolute and its <c>extends</c> resolved, then the files are merged in order, and finally
/// <c>include</c> pulls in other projects (after the merge, so conflicts between them are seen).
/// </summary>
internal sealed class ComposeProjectLoader(ComposeSession session)
{
    /// <param name="chain">The files of the projects that included this one, outermost first, for cycle detection.</param>
    /// <param name="depth">How many includes deep this project is (0 for the files given by the caller).</param>
    public ComposeProject? Load(IReadOnlyList<ComposeSourceFile> files, string projectDirectory, ComposeVariables variables, IReadOnlyList<string> chain, int depth)
    {
        YMapping? merged = null;
        var extends = new ExtendsResolver(session, variables);
        foreach (var file in files)
        {
            var interpolated = (YMapping)new TreeInterpolator(new Interpolator(variables.Get, session.Limits.MaxInterpolationDepth), session.Reporter).Apply(file.Root, "");
            var resolved = file with { Root = PathResolver.Resolve(interpolated, projectDirectory, session) };
            var extended = extends.ResolveAll(resolved);
            merged = merged is null ? extended : ComposeMerger.MergeDocuments(merged, extended);
        }

        if (merged is null)
        {
            return null;
        }

        merged = (YMapping)ComposeMerger.DropResets(merged);
        return new IncludeResolver(session, this).Apply(merged, variables, chain, depth);
    }
}
