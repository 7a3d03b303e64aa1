using System.Text;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>A top-level volume: the compose key services use, and the ZLayer volume name it becomes.</summary>
internal sealed record DeclaredVolume(string Key, string VolumeName);

/// <summary>A top-level secret or config: the absolute file it is read from, or null when its source is not supported.</summary>
internal sealed record DeclaredGrant(string Key, string? File);

/// <summary>
/// The top-level <c>volumes</c>, <c>networks</c>, <c>secrets</c> and <c>configs</c> that services may
/// refer to. Settings ZLayer cannot honour (drivers, external resources, non-file sources) are warned
/// about here, once, where they are declared.
/// </summary>
internal sealed class ComposeResources
{
    /// <summary>The network every compose project has without declaring it.</summary>
    public const string DefaultNetwork = "default";

    public Dictionary<string, DeclaredVolume> Volumes { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Networks { get; } = new(StringComparer.Ordinal) { DefaultNetwork };

    public Dictionary<string, DeclaredGrant> Secrets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DeclaredGrant> Configs { get; } = new(StringComparer.Ordinal);

    public static ComposeResources Read(YMapping root, ComposeReporter reporter)
    {
        var resources = new ComposeResources();
        var scalars = new ComposeScalars(reporter);
        resources.ReadVolumes(root.Get("volumes"), reporter, scalars);
        resources.ReadNetworks(root.Get("networks"), reporter);
        ReadGrants(root.Get("secrets"), "secrets", resources.Secrets, reporter);
        ReadGrants(root.Get("configs"), "configs", resources.Configs, reporter);
        return resources;
    }

    /// <summary>
    /// ZLayer volume names are lowercase letters, digits and '-' (at most 63); compose keys often use
    /// '_' or capitals, so <c>db_data</c> becomes <c>db-data</c>.
    /// </summary>
    public static string ToVolumeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }

        var result = sb.ToString().Trim('-');
        return result.Length > 63 ? result[..63].TrimEnd('-') : result;
    }

    private void ReadVolumes(YNode? node, ComposeReporter reporter, ComposeScalars scalars)
    {
        if (!IsSection(node, "volumes", reporter, out var map))
        {
            return;
        }

        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            var path = $"volumes.{key.Value}";
            var name = key.Value;
            if (value is YMapping settings)
            {
                foreach (var (settingKey, settingValue) in settings.Entries)
                {
                    switch (settingKey.Value)
                    {
                        case "name":
                            if (scalars.Text(settingValue, $"{path}.name", out var explicitName))
                            {
                                name = explicitName;
                            }

                            break;
                        case "external":
                            reporter.Approximated($"volume '{key.Value}' is external; ZLayer cannot attach a volume it did not create, so it is used as a named volume of this deployment", settingKey, $"{path}.external");
                            break;
                        default:
                            reporter.Unsupported($"volumes.{key.Value}.{settingKey.Value}", settingKey, $"{path}.{settingKey.Value}", "ZLayer named volumes have no driver settings");
                            break;
                    }
                }
            }
            else if (!YTree.IsNull(value))
            {
                reporter.Error(ComposeCodes.Type, $"'{path}' needs a map of volume settings or nothing, found {ComposeScalars.Found(value)}", value, path);
            }

            var volumeName = ToVolumeName(name);
            if (volumeName.Length == 0)
            {
                reporter.Error(ComposeCodes.Value, $"volume name '{name}' has no letters or digits", key, path);
                continue;
            }

            if (byName.TryGetValue(volumeName, out var other))
            {
                reporter.Error(ComposeCodes.Conflict, $"volumes '{other}' and '{key.Value}' both become the ZLayer volume '{volumeName}'", key, path);
                continue;
            }

            byName[volumeName] = key.Value;
            Volumes[key.Value] = new DeclaredVolume(key.Value, volumeName);
        }
    }

    private void ReadNetworks(YNode? node, ComposeReporter reporter)
    {
        if (!IsSection(node, "networks", reporter, out var map))
        {
            return;
        }

        foreach (var (key, value) in map.Entries)
        {
            Networks.Add(key.Value);
            if (value is YMapping { Entries.Count: > 0 } settings)
            {
                var names = string.Join(", ", settings.Entries.Select(e => e.Key.Value));
                reporter.Unsupported($"networks.{key.Value}", key, $"networks.{key.Value}", $"its settings ({names}) have no effect: a ZLayer deployment runs on one overlay network");
            }
        }
    }

    private static void ReadGrants(YNode? node, string section, Dictionary<string, DeclaredGrant> into, ComposeReporter reporter)
    {
        if (!IsSection(node, section, reporter, out var map))
        {
            return;
        }

        var kind = section == "secrets" ? "secret" : "config";
        foreach (var (key, value) in map.Entries)
        {
            var path = $"{section}.{key.Value}";
            if (value is not YMapping settings)
            {
                reporter.Error(ComposeCodes.Type, $"'{path}' needs a map with 'file' (the {kind}'s source), found {ComposeScalars.Found(value)}", value, path);
                continue;
            }

            string? file = null;
            foreach (var (settingKey, settingValue) in settings.Entries)
            {
                var settingPath = $"{path}.{settingKey.Value}";
                switch (settingKey.Value)
                {
                    case "file":
                        file = YTree.TextOf(settingValue);
                        break;
                    case "environment" or "content" or "external":
                        reporter.Unsupported(settingPath, settingKey, settingPath, $"only file-based {section} are supported; services using {kind} '{key.Value}' do not get it");
                        break;
                    default:
                        reporter.Unsupported(settingPath, settingKey, settingPath);
                        break;
                }
            }

            if (file is null && !settings.Entries.Any(e => e.Key.Value is "environment" or "content" or "external"))
            {
                reporter.Error(ComposeCodes.Type, $"{kind} '{key.Value}' needs 'file', the file it is read from", settings, path);
            }

            into[key.Value] = new DeclaredGrant(key.Value, file);
        }
    }

    private static bool IsSection(YNode? node, string section, ComposeReporter reporter, out YMapping map)
    {
        map = null!;
        if (node is YMapping m)
        {
            map = m;
            return true;
        }

        if (!YTree.IsNull(node))
        {
            reporter.Error(ComposeCodes.Type, $"top-level '{section}' needs a map of names, found {ComposeScalars.Found(node!)}", node!, section);
        }

        return false;
    }
}
