using System.Text.RegularExpressions;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>
/// The semantic rules of SPEC.md (upstream's, Part B §4, and our stricter ones, Part A item 4),
/// run after binding. Every rule reports with the location of the offending key; all rules run,
/// so one pass shows every problem.
/// </summary>
public static partial class SpecValidator
{
    public static void Validate(DeploymentSpec spec, DiagnosticBag diagnostics)
    {
        var ctx = new ValidationContext(spec, diagnostics);
        if (spec.Version != "v1")
        {
            ctx.Error("version", spec, "version", $"version must be \"v1\", found \"{spec.Version}\"");
        }

        if (!DeploymentNameRegex().IsMatch(spec.Deployment))
        {
            ctx.Error("name", spec, "deployment", $"deployment name '{spec.Deployment}' must be 3-63 characters of letters, digits and '-', starting with a letter or digit");
        }

        foreach (var service in spec.Services.Values)
        {
            ServiceRules.Validate(ctx, service);
        }

        foreach (var (name, external) in spec.Externals)
        {
            ExternalRules.Validate(ctx, name, external);
        }

        foreach (var (_, tunnel) in spec.Tunnels)
        {
            if (tunnel.LocalPort == 0)
            {
                ctx.Error("port", tunnel, "local_port", "tunnel local_port must not be 0");
            }

            if (tunnel.RemotePort == 0)
            {
                ctx.Error("port", tunnel, "remote_port", "tunnel remote_port must not be 0");
            }
        }

        DependencyRules.Validate(ctx);
        RouteConflictRules.Validate(ctx);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{2,62}\\z")]
    private static partial Regex DeploymentNameRegex();
}
