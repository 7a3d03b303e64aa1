using System.Text.Json.Nodes;
using ZLayer.Spec.Binding;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>Init steps: known actions (upstream only finds an unknown one at run time) and their parameters.</summary>
internal static class InitRules
{
    private static readonly Dictionary<string, (string[] Required, string[] Optional)> Parameters = new()
    {
        [InitStepSpec.WaitTcp] = (["host", "port"], ["timeout"]),
        [InitStepSpec.WaitHttp] = (["url"], ["expect_status", "timeout"]),
        [InitStepSpec.Run] = (["command"], ["timeout"]),
        [InitStepSpec.S3Pull] = (["bucket", "key", "destination"], ["endpoint", "region", "timeout"]),
        [InitStepSpec.S3Push] = (["source", "bucket", "key"], ["endpoint", "region", "timeout"]),
    };

    public static void Validate(ValidationContext ctx, ServiceSpec service)
    {
        if (service.Init is not { } init)
        {
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in init.Steps)
        {
            if (step.Id.Length > 0 && !ids.Add(step.Id))
            {
                ctx.Error("init", step, "id", $"init step id '{step.Id}' is used twice");
            }

            if (step.Uses.Length == 0)
            {
                continue;
            }

            if (!Parameters.TryGetValue(step.Uses, out var parameters))
            {
                ctx.Error("init", step, "uses", $"unknown init action '{step.Uses}'; known: {string.Join(", ", InitStepSpec.KnownActions)}{Suggestions.DidYouMean(step.Uses, InitStepSpec.KnownActions)}");
                continue;
            }

            foreach (var name in parameters.Required)
            {
                if (!step.With.TryGetValue(name, out var value) || value is null)
                {
                    ctx.Error("init", step, step.Has("with") ? "with" : "uses", $"{step.Uses} needs with.{name}");
                }
            }

            foreach (var name in step.With.Keys)
            {
                if (!parameters.Required.Contains(name) && !parameters.Optional.Contains(name))
                {
                    ctx.Error("init", step, "with", $"{step.Uses} takes no parameter '{name}'{Suggestions.DidYouMean(name, parameters.Required.Concat(parameters.Optional))}");
                }
            }

            CheckType(ctx, step, "port", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Number && Number(v) is >= 1 and <= 65535 && Number(v) % 1 == 0, "a port number 1-65535");
            CheckType(ctx, step, "timeout", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Number && Number(v) > 0 && Number(v) % 1 == 0, "a whole number of seconds");
            CheckType(ctx, step, "expect_status", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Number && Number(v) is >= 100 and <= 599, "an HTTP status 100-599");
            CheckType(ctx, step, "command", v => v.GetValueKind() == System.Text.Json.JsonValueKind.String, "one shell command string");
            CheckType(ctx, step, "host", v => v.GetValueKind() == System.Text.Json.JsonValueKind.String, "a host name or address");
            CheckType(ctx, step, "url", v => v.GetValueKind() == System.Text.Json.JsonValueKind.String && Uri.TryCreate(v.GetValue<string>(), UriKind.Absolute, out var u) && u.Scheme is "http" or "https", "an absolute http(s) URL");
        }
    }

    /// <summary>The binder stores whole numbers as long and others as double; GetValue&lt;double&gt; throws on a long.</summary>
    private static double Number(JsonNode value) => value.AsValue().TryGetValue<long>(out var whole) ? whole : value.GetValue<double>();

    private static void CheckType(ValidationContext ctx, InitStepSpec step, string name, Func<JsonNode, bool> isValid, string expected)
    {
        if (step.With.TryGetValue(name, out var value) && value is not null && !isValid(value))
        {
            ctx.Error("init", step, "with", $"{step.Uses}: with.{name} must be {expected}, found {value.ToJsonString()}");
        }
    }
}
