using System.Text;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>The deployment name a compose project gets, and where it was written when it came from the file.</summary>
internal sealed record ProjectName(string Deployment, SourceLocation? Location);

/// <summary>
/// Chooses the project name as Docker Compose does (the option, then <c>COMPOSE_PROJECT_NAME</c>, then
/// the top-level <c>name</c>, then the first file's directory name) and turns it into a deployment
/// name: 3-63 characters of <c>[a-z0-9-]</c>.
/// </summary>
internal static class ProjectNaming
{
    public const int MinLength = 3;
    public const int MaxLength = 63;

    /// <summary>Used when nothing of the name survives sanitising (a directory named "___", say).</summary>
    public const string Fallback = "compose";

    /// <summary>
    /// Lowercases; turns '_', '.', spaces and existing '-' runs into a single '-' (Compose keys such as
    /// <c>my_app</c> stay readable as <c>my-app</c>); drops every other character; trims '-' from both
    /// ends; cuts at 63. A name shorter than 3 gets <c>-app</c> appended (<c>ab</c> becomes
    /// <c>ab-app</c>), which keeps it recognisable and makes it long enough.
    /// </summary>
    public static string ToDeploymentName(string projectName)
    {
        var sb = new StringBuilder(projectName.Length);
        foreach (var c in projectName.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                sb.Append(c);
            }
            else if (c is '-' or '_' or '.' or ' ' && sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }

        var name = sb.ToString().Trim('-');
        if (name.Length > MaxLength)
        {
            name = name[..MaxLength].TrimEnd('-');
        }

        if (name.Length == 0)
        {
            return Fallback;
        }

        return name.Length < MinLength ? name + "-app" : name;
    }

    public static ProjectName Resolve(ComposeOptions options, ComposeVariables variables, IReadOnlyList<ComposeSourceFile> files, string projectDirectory, ComposeSession session)
    {
        string raw;
        string source;
        SourceLocation? at = null;
        if (options.ProjectName is { Length: > 0 } fromOptions)
        {
            (raw, source) = (fromOptions, "the project name");
        }
        else if (variables.Get("COMPOSE_PROJECT_NAME") is { Length: > 0 } fromEnvironment)
        {
            (raw, source) = (fromEnvironment, "COMPOSE_PROJECT_NAME");
        }
        else if (TopLevelName(files, variables, session) is { } fromFile)
        {
            (raw, source, at) = (fromFile.Value, "the top-level 'name'", fromFile.Location);
        }
        else
        {
            var directory = Path.GetFileName(Path.TrimEndingDirectorySeparator(projectDirectory));
            return new ProjectName(ToDeploymentName(directory), null);
        }

        var deployment = ToDeploymentName(raw);
        if (deployment != raw)
        {
            session.Reporter.Warning(
                ComposeCodes.Name,
                $"{source} '{raw}' is not a valid deployment name (3-63 of a-z, 0-9 and '-'); the deployment is named '{deployment}'",
                at ?? new SourceLocation(files[0].DisplayName, 1, 1),
                "name");
        }

        return new ProjectName(deployment, at);
    }

    /// <summary>
    /// The last file's top-level name, interpolated on its own: the name is needed before the full
    /// interpolation pass, which exposes it as COMPOSE_PROJECT_NAME. That pass reports its problems.
    /// </summary>
    private static YScalar? TopLevelName(IReadOnlyList<ComposeSourceFile> files, ComposeVariables variables, ComposeSession session)
    {
        var interpolator = new Interpolator(variables.Get, session.Limits.MaxInterpolationDepth);
        YScalar? name = null;
        foreach (var file in files)
        {
            if (file.Root.Get("name") is YScalar { IsNull: false } s)
            {
                var value = interpolator.Apply(s.Value, []);
                if (value.Length > 0)
                {
                    name = YTree.Text(s.Location, value);
                }
            }
        }

        return name;
    }
}
