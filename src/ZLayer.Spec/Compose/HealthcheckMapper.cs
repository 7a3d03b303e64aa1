using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>healthcheck</c> → a command <see cref="HealthSpec"/> run inside the replica. <c>["CMD", ...]</c>
/// is joined into one shell-quoted line, <c>["CMD-SHELL", "..."]</c> and a plain string are used as
/// written; <c>disable: true</c> or <c>["NONE"]</c> leave the service without a health check.
/// Timings Docker defaults (interval 30s, timeout 30s, retries 3, start period 0s) are written out,
/// so a compose service is checked on the same schedule it was under Docker rather than ZLayer's.
/// </summary>
internal sealed class HealthcheckMapper(ComposeMappingContext context)
{
    public static readonly Duration DockerInterval = Duration.FromSeconds(30);
    public static readonly Duration DockerTimeout = Duration.FromSeconds(30);
    public static readonly Duration DockerStartPeriod = Duration.FromSeconds(0);
    public const uint DockerRetries = 3;

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (!fields.Take("healthcheck", out var key, out var node) || YTree.IsNull(node))
        {
            return;
        }

        var path = fields.PathOf("healthcheck");
        if (node is not YMapping map)
        {
            context.Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map (test, interval, timeout, retries, start_period), found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        var health = new HealthSpec
        {
            Interval = DockerInterval,
            Timeout = DockerTimeout,
            StartGrace = DockerStartPeriod,
            Retries = DockerRetries,
            Location = map.Location,
            SpecPath = path,
        };
        string? command = null;
        var disabled = false;
        YScalar? testKey = null;
        foreach (var (entryKey, value) in map.Entries)
        {
            var entryPath = $"{path}.{entryKey.Value}";
            switch (entryKey.Value)
            {
                case "test":
                    testKey = entryKey;
                    command = Test(value, entryPath, out var none);
                    disabled |= none;
                    break;
                case "disable":
                    if (context.Scalars.Bool(value, entryPath, out var disable))
                    {
                        disabled |= disable;
                    }

                    break;
                case "interval":
                    if (context.Scalars.Duration(value, entryPath, out var interval))
                    {
                        health.Interval = interval;
                        ServiceFields.Mark(health, "interval", entryKey);
                    }

                    break;
                case "timeout":
                    if (context.Scalars.Duration(value, entryPath, out var timeout))
                    {
                        health.Timeout = timeout;
                        ServiceFields.Mark(health, "timeout", entryKey);
                    }

                    break;
                case "start_period":
                    if (context.Scalars.Duration(value, entryPath, out var startPeriod))
                    {
                        health.StartGrace = startPeriod;
                        ServiceFields.Mark(health, "start_grace", entryKey);
                    }

                    break;
                case "retries":
                    if (context.Scalars.Integer(value, entryPath, 0, uint.MaxValue, out var retries))
                    {
                        health.Retries = (uint)retries;
                        ServiceFields.Mark(health, "retries", entryKey);
                    }

                    break;
                case "start_interval":
                    context.Reporter.Unsupported("healthcheck.start_interval", entryKey, entryPath, "checks run every 'interval' from the start");
                    break;
                default:
                    context.Reporter.Unsupported($"healthcheck.{entryKey.Value}", entryKey, entryPath);
                    break;
            }
        }

        if (disabled)
        {
            return;
        }

        if (command is null)
        {
            if (testKey is null)
            {
                context.Reporter.Approximated($"'{path}' has no 'test': under Docker the image's HEALTHCHECK would run, which ZLayer does not read; the service gets no health check", map, path);
            }

            return;
        }

        var check = new HealthCheckSpec { Type = HealthCheckType.Command, Command = command, Location = map.Get("test")!.Location, SpecPath = $"{path}.test" };
        ServiceFields.Mark(check, "command", testKey!);
        ServiceFields.Mark(health, "check", testKey!);
        health.Check = check;
        service.Health = health;
        ServiceFields.Mark(service, "health", key);
    }

    /// <summary>The shell line of a test, or null; <paramref name="none"/> is set for <c>["NONE"]</c>.</summary>
    private string? Test(YNode node, string path, out bool none)
    {
        none = false;
        switch (node)
        {
            case YScalar { IsNull: false } s when s.Value.Trim().Length > 0:
                return s.Value;
            case YSequence:
                var words = context.Scalars.TextList(node, path).Select(w => w.Text).ToList();
                switch (words)
                {
                    case ["NONE", ..]:
                        none = true;
                        return null;
                    case ["CMD", .. var argv] when argv.Count > 0:
                        return ShellWords.Join(argv);
                    case ["CMD-SHELL", .. var shell] when shell.Count > 0:
                        return string.Join(' ', shell);
                    default:
                        context.Reporter.Error(ComposeCodes.Value, $"'{path}' must start with \"CMD\", \"CMD-SHELL\" or \"NONE\" followed by the command, found [{string.Join(", ", words.Select(w => $"\"{w}\""))}]", node, path);
                        return null;
                }

            default:
                context.Reporter.Error(ComposeCodes.Type, $"'{path}' needs a string or a list such as [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"], found {ComposeScalars.Found(node)}", node, path);
                return null;
        }
    }
}
