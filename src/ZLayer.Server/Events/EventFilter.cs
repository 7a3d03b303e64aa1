using System.Text.RegularExpressions;
using ZLayer.Control.Model;

namespace ZLayer.Server.Events;

/// <summary>
/// Which events a reader wants: of one deployment, of one service, and of some types. A type is
/// matched exactly (<c>replica.updated</c>) or, ending in <c>.*</c>, by its dotted prefix
/// (<c>replica.*</c>); <c>*</c> is every type. No types means every type.
/// </summary>
public sealed partial record EventFilter(string? Deployment, string? Service, IReadOnlyList<string> Types)
{
    /// <summary>
    /// Checks the type patterns; each comes with the parameter or JSON path an error names, and
    /// may hold several patterns separated by commas.
    /// </summary>
    public static EventFilter Create(string? deployment, string? service, IEnumerable<(string? Value, string Field)> types)
    {
        var patterns = new List<string>();
        foreach (var (value, field) in types)
        {
            foreach (var pattern in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!TypePattern().IsMatch(pattern))
                {
                    throw new EventFilterException(
                        $"'{(pattern.Length > 80 ? pattern[..80] + "…" : pattern)}' is not an event type pattern: a type such as replica.updated, a prefix such as replica.*, or *",
                        field);
                }

                patterns.Add(pattern);
            }
        }

        return new EventFilter(deployment, service, patterns.Contains("*") ? [] : patterns);
    }

    public bool Matches(ClusterEvent e) =>
        (Deployment is null || e.Deployment == Deployment) &&
        (Service is null || e.Service == Service) &&
        (Types.Count == 0 || Types.Any(t => MatchesType(t, e.Type)));

    private static bool MatchesType(string pattern, string type) =>
        pattern.EndsWith(".*", StringComparison.Ordinal)
            ? type.Length > pattern.Length - 1 && type.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
            : type == pattern;

    [GeneratedRegex(@"^(\*|[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?)$")]
    private static partial Regex TypePattern();
}

/// <summary>A filter that cannot be used, with the parameter or JSON path at fault.</summary>
public sealed class EventFilterException(string message, string field) : Exception(message)
{
    public string Field { get; } = field;
}
