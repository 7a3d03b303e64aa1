using System.Text.Json.Nodes;
using NJsonSchema;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>
/// Checks a config.json against the runtime-spec's own JSON schema (Debian package
/// golang-github-opencontainers-specs-dev ships it), then against the rules the schema cannot
/// express (unique mount destinations, soft rlimit within hard, ...): what runc would otherwise
/// refuse with a less useful message, or accept and misread.
/// </summary>
internal static class RuntimeConfigValidator
{
    public const string SchemaDirectory = "/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema";

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromFileAsync(Path.Combine(SchemaDirectory, "config-schema.json")).GetAwaiter().GetResult());

    /// <summary>Every place where <paramref name="config"/> breaks the runtime-spec schema, as "path: kind".</summary>
    public static IReadOnlyList<string> SchemaErrors(JsonObject config) =>
        [.. Schema.Value.Validate(WithinInt64(config).ToJsonString()).Select(Describe)];

    /// <summary>
    /// A copy with uint64 values above Int64.MaxValue (rlimits of "unlimited") lowered to it: the
    /// validator's JSON reader holds such numbers as BigInteger and throws comparing them with the
    /// schema's bounds. The uint64 range itself is checked by reading them as ulong below.
    /// </summary>
    private static JsonNode WithinInt64(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : WithinInt64(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(e => e is null ? null : WithinInt64(e))]),
        JsonValue v when v.TryGetValue<ulong>(out var big) && big > long.MaxValue => JsonValue.Create(long.MaxValue),
        _ => node.DeepClone(),
    };

    private static string Describe(NJsonSchema.Validation.ValidationError error) =>
        error is NJsonSchema.Validation.ChildSchemaValidationError child
            ? $"{error.Path}: {error.Kind} ({string.Join(", ", child.Errors.SelectMany(e => e.Value).Select(Describe))})"
            : $"{error.Path}: {error.Kind}";

    public static void AssertValid(JsonObject config)
    {
        var schemaErrors = SchemaErrors(config);
        Assert.True(schemaErrors.Count == 0, "config.json breaks the runtime-spec schema: " + string.Join("; ", schemaErrors));

        var errors = new List<string>();
        void Check(bool ok, string what)
        {
            if (!ok)
            {
                errors.Add(what);
            }
        }

        Check(config["ociVersion"]?.GetValue<string>() is { } version && version.StartsWith("1.0.", StringComparison.Ordinal), "ociVersion 1.0.x");
        var root = config["root"] as JsonObject;
        Check(root?["path"]?.GetValue<string>() is { Length: > 0 }, "root.path non-empty");
        var process = config["process"] as JsonObject;
        Check(process is not null, "process present");
        if (process is not null)
        {
            var args = process["args"] as JsonArray;
            Check(args is { Count: > 0 } && args.All(a => a?.GetValue<string>() is not null), "process.args non-empty strings");
            Check(process["cwd"]?.GetValue<string>() is { } cwd && cwd.StartsWith('/'), "process.cwd absolute");
            Check(process["user"]?["uid"] is JsonValue && process["user"]?["gid"] is JsonValue, "process.user uid and gid");
            Check((process["env"] as JsonArray ?? []).All(e => e?.GetValue<string>() is { } s && s.IndexOf('=', StringComparison.Ordinal) > 0), "process.env NAME=value");
            foreach (var set in new[] { "bounding", "effective", "permitted", "inheritable", "ambient" })
            {
                Check((process["capabilities"]?[set] as JsonArray ?? []).All(c => c?.GetValue<string>().StartsWith("CAP_", StringComparison.Ordinal) == true), $"capabilities.{set} CAP_ names");
            }

            foreach (var rlimit in process["rlimits"] as JsonArray ?? [])
            {
                Check(rlimit?["type"]?.GetValue<string>().StartsWith("RLIMIT_", StringComparison.Ordinal) == true
                    && rlimit["soft"]!.GetValue<ulong>() <= rlimit["hard"]!.GetValue<ulong>(), "rlimit type and soft <= hard");
            }
        }

        var destinations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in config["mounts"] as JsonArray ?? [])
        {
            var destination = mount?["destination"]?.GetValue<string>() ?? "";
            Check(destination.StartsWith('/') && !destination.Split('/').Contains("..") && (destination == "/" || !destination.EndsWith('/')),
                $"mount destination '{destination}' absolute and normalised");
            Check(destinations.Add(destination), $"mount destination '{destination}' unique");
        }

        var linux = config["linux"] as JsonObject;
        Check(linux is not null, "linux present");
        if (linux is not null)
        {
            var kinds = new[] { "pid", "network", "mount", "ipc", "uts", "user", "cgroup" };
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var ns in linux["namespaces"] as JsonArray ?? [])
            {
                var type = ns?["type"]?.GetValue<string>() ?? "";
                Check(kinds.Contains(type) && seen.Add(type), $"namespace type '{type}' known and unique");
            }

            foreach (var device in linux["devices"] as JsonArray ?? [])
            {
                Check(device?["path"]?.GetValue<string>().StartsWith('/') == true && device["type"]?.GetValue<string>() is "c" or "b" or "u" or "p",
                    "device path absolute and type c|b|u|p");
            }

            foreach (var rule in linux["resources"]?["devices"] as JsonArray ?? [])
            {
                Check(rule?["allow"] is JsonValue, "device cgroup rule has allow");
            }

            Check(linux["cgroupsPath"]?.GetValue<string>() is { Length: > 0 }, "cgroupsPath set");
            if (linux["seccomp"] is JsonObject seccomp)
            {
                Check(seccomp["defaultAction"]?.GetValue<string>().StartsWith("SCMP_ACT_", StringComparison.Ordinal) == true, "seccomp defaultAction");
                foreach (var syscall in seccomp["syscalls"] as JsonArray ?? [])
                {
                    Check(syscall?["names"] is JsonArray { Count: > 0 } && syscall["action"] is JsonValue, "seccomp syscall names and action");
                }
            }
        }

        Assert.True(errors.Count == 0, "invalid config.json: " + string.Join("; ", errors));
    }
}
