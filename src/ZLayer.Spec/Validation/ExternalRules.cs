using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

internal static class ExternalRules
{
    public static void Validate(ValidationContext ctx, string name, ExternalSpec external)
    {
        if (external.Backends.Count == 0)
        {
            ctx.Error("external", external, "backends", $"external '{name}' needs at least one backend address");
        }

        foreach (var backend in external.Backends)
        {
            var colon = backend.LastIndexOf(':');
            if (colon <= 0 || !ushort.TryParse(backend.AsSpan(colon + 1), out var port) || port == 0)
            {
                ctx.Error("external", external, "backends", $"backend '{backend}' of external '{name}' must be HOST:PORT");
            }
        }

        EndpointRules.Validate(ctx, external.Endpoints, []);
        if (external.Health is { } health)
        {
            HealthRules.Validate(ctx, health, external.Endpoints);
        }
    }
}
