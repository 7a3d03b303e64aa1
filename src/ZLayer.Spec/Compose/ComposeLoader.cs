using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Imports Compose Specification projects (<c>compose.yaml</c>, <c>docker-compose.yml</c>) into the
/// ZLayer deployment model. Bad input never throws: every problem is a diagnostic with its place, and
/// every compose field that is not carried over is named in a warning.
/// </summary>
public static class ComposeLoader
{
    /// <summary>
    /// Loads one or more compose files (<c>-f a -f b</c>), merged in order by the Compose merge rules.
    /// The first file's directory is the project directory (for <c>.env</c> and relative paths).
    /// </summary>
    /// <returns>The deployment, or null only when no file could be read at all.</returns>
    public static DeploymentSpec? Load(IReadOnlyList<string> files, ComposeOptions options, DiagnosticBag diagnostics)
    {
        if (files.Count == 0)
        {
            diagnostics.Error(ComposeCodes.File, "no compose file was given", SourceLocation.None("compose"));
            return null;
        }

        var inputs = new List<ComposeInput>(files.Count);
        foreach (var file in files)
        {
            string fullPath;
            try
            {
                fullPath = Path.GetFullPath(file);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                diagnostics.Error(ComposeCodes.File, $"'{file}' is not a usable path: {ex.Message}", SourceLocation.None(file));
                continue;
            }

            inputs.Add(new ComposeInput(fullPath, file, Text: null));
        }

        if (inputs.Count == 0)
        {
            return null;
        }

        var projectDirectory = Path.GetDirectoryName(inputs[0].FullPath) ?? Environment.CurrentDirectory;
        return new ComposeImport(options, diagnostics).Run(inputs, projectDirectory);
    }

    /// <summary>
    /// Loads a compose file given as text (stdin, tests). <paramref name="fileName"/> names it in
    /// diagnostics; <paramref name="baseDirectory"/> is the project directory, where <c>.env</c>,
    /// env files, extended and included files and relative bind paths are found.
    /// </summary>
    /// <returns>The deployment, or null only when the text could not be read as a compose file at all.</returns>
    public static DeploymentSpec? LoadText(string text, string fileName, string baseDirectory, ComposeOptions options, DiagnosticBag diagnostics)
    {
        string projectDirectory;
        string fullPath;
        try
        {
            projectDirectory = Path.GetFullPath(baseDirectory);
            fullPath = Path.GetFullPath(Path.Combine(projectDirectory, fileName));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            diagnostics.Error(ComposeCodes.File, $"'{baseDirectory}' is not a usable directory: {ex.Message}", SourceLocation.None(fileName));
            return null;
        }

        return new ComposeImport(options, diagnostics).Run([new ComposeInput(fullPath, fileName, text)], projectDirectory);
    }
}
