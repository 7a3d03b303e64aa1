using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

internal static class HealthRules
{
    public static void Validate(ValidationContext ctx, HealthSpec health, IReadOnlyList<EndpointSpec> endpoints)
    {
        if (health.Check is not { } check)
        {
            return;
        }

        switch (check.Type)
        {
            case HealthCheckType.Http when check.Url is { } url:
                if (url.StartsWith('/'))
                {
                    if (!endpoints.Any(e => e.IsHttpLike))
                    {
                        ctx.Error("health", check, "url", $"url '{url}' is a path, but the service has no http endpoint to take the port from; write a full URL");
                    }
                }
                else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    ctx.Error("health", check, "url", $"url '{url}' must be an absolute http(s) URL or a path such as /health");
                }

                if (check.ExpectStatus is { } status and (< 100 or > 599))
                {
                    ctx.Error("health", check, "expect_status", $"expect_status {status} is not an HTTP status (100-599)");
                }

                break;
            case HealthCheckType.Command when string.IsNullOrWhiteSpace(check.Command):
                ctx.Error("health", check, "command", "health command must not be empty");
                break;
        }

        if (health.Interval is { Value.Ticks: 0 })
        {
            ctx.Error("health", health, "interval", "interval must be greater than 0");
        }

        if (health.Timeout is { Value.Ticks: 0 })
        {
            ctx.Error("health", health, "timeout", "timeout must be greater than 0");
        }
    }
}
