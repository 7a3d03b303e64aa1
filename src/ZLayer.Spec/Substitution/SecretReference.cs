using System.Text.RegularExpressions;

namespace ZLayer.Spec.Substitution;

public enum SecretScope { Deployment, Service, Environment, ProjectEnvironment }

/// <summary>
/// Upstream's secret reference forms, valid only as a whole env value:
/// <c>$S:name[/field]</c>, <c>$S:@service/name[/field]</c>, <c>$S::env/name[/field]</c>,
/// <c>$S:project:env/name[/field]</c> and <c>$secret://env/KEY[/field]</c>.
/// </summary>
public sealed partial record SecretReference(SecretScope Scope, string Name, string? Field, string? Service, string? Environment, string? Project)
{
    public static bool TryParse(string text, out SecretReference reference, out string error)
    {
        reference = null!;
        error = "";
        string body;
        if (text.StartsWith("$secret://", StringComparison.Ordinal))
        {
            body = text["$secret://".Length..];
            var parts = body.Split('/');
            if (parts.Length is < 2 or > 3 || !parts.All(IsName))
            {
                return Fail(text, "expected $secret://ENV/KEY[/field]", out error);
            }

            reference = new SecretReference(SecretScope.Environment, parts[1], parts.ElementAtOrDefault(2), null, parts[0], null);
            return true;
        }

        body = text["$S:".Length..];
        if (body.StartsWith('@'))
        {
            var parts = body[1..].Split('/');
            if (parts.Length is < 2 or > 3 || !parts.All(IsName))
            {
                return Fail(text, "expected $S:@SERVICE/NAME[/field]", out error);
            }

            reference = new SecretReference(SecretScope.Service, parts[1], parts.ElementAtOrDefault(2), parts[0], null, null);
            return true;
        }

        var colon = body.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            var project = body[..colon];
            var parts = body[(colon + 1)..].Split('/');
            if ((project.Length > 0 && !IsName(project)) || parts.Length is < 2 or > 3 || !parts.All(IsName))
            {
                return Fail(text, "expected $S::ENV/NAME[/field] or $S:PROJECT:ENV/NAME[/field]", out error);
            }

            reference = new SecretReference(
                project.Length == 0 ? SecretScope.Environment : SecretScope.ProjectEnvironment,
                parts[1], parts.ElementAtOrDefault(2), null, parts[0], project.Length == 0 ? null : project);
            return true;
        }

        var simple = body.Split('/');
        if (simple.Length is < 1 or > 2 || !simple.All(IsName))
        {
            return Fail(text, "expected $S:NAME or $S:NAME/field", out error);
        }

        reference = new SecretReference(SecretScope.Deployment, simple[0], simple.ElementAtOrDefault(1), null, null, null);
        return true;
    }

    private static bool Fail(string text, string expected, out string error)
    {
        error = $"invalid secret reference '{text}': {expected} (names: letters, digits, '.', '_', '-')";
        return false;
    }

    private static bool IsName(string s) => NameRegex().IsMatch(s);

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}\\z")]
    private static partial Regex NameRegex();
}
