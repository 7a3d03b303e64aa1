using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>Which services the active profiles enable, and the profiles of each service (for messages about disabled ones).</summary>
internal sealed record ProfileSelection(
    IReadOnlyList<string> AllServices,
    IReadOnlySet<string> Enabled,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ProfilesOf,
    IReadOnlyList<string> Active)
{
    public bool Exists(string service) => ProfilesOf.ContainsKey(service);

    public string DescribeDisabled(string service) =>
        $"'{service}' has profiles [{string.Join(", ", ProfilesOf[service])}] and {(Active.Count == 0 ? "no profile is active" : $"the active profiles are [{string.Join(", ", Active)}]")}";
}

/// <summary>
/// Compose profiles: a service without <c>profiles</c> always runs; one with profiles runs only when
/// one of them is active (or <c>*</c> is). Active profiles come from the options and <c>COMPOSE_PROFILES</c>.
/// </summary>
internal static class ProfileFilter
{
    public static IReadOnlyList<string> ActiveProfiles(IReadOnlyList<string> fromOptions, string? composeProfiles) =>
        [.. fromOptions
            .Concat((composeProfiles ?? "").Split(','))
            .Select(p => p.Trim())
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal)];

    public static ProfileSelection Select(YMapping? services, IReadOnlyList<string> active, ComposeScalars scalars)
    {
        var all = new List<string>();
        var enabled = new HashSet<string>(StringComparer.Ordinal);
        var profilesOf = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in services?.Entries ?? [])
        {
            var name = key.Value;
            all.Add(name);
            var profiles = YTree.Get(value, "profiles") is { } node
                ? scalars.TextList(node, $"services.{name}.profiles").Select(p => p.Text).ToList()
                : [];
            profilesOf[name] = profiles;
            if (profiles.Count == 0 || active.Contains("*") || profiles.Any(active.Contains))
            {
                enabled.Add(name);
            }
        }

        return new ProfileSelection(all, enabled, profilesOf, active);
    }
}
