using ZLayer.Spec.Binding;
using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Builds the <see cref="DeploymentSpec"/> from a loaded project: checks the top-level keys, reads the
/// declared resources, picks the services the active profiles enable and maps each of them.
/// </summary>
internal sealed class ComposeModelBuilder(ComposeSession session)
{
    private static readonly HashSet<string> TopLevelKeys = ["version", "name", "services", "volumes", "networks", "secrets", "configs", "include"];

    private ComposeReporter Reporter => session.Reporter;

    public DeploymentSpec Build(ComposeProject project, ProjectName name, IReadOnlyList<string> activeProfiles)
    {
        var root = project.Root;
        var spec = new DeploymentSpec { Version = "v1", Deployment = name.Deployment, Location = root.Location, SpecPath = "" };
        if (name.Location is { } nameLocation)
        {
            spec.KeyLocations["deployment"] = nameLocation;
        }

        foreach (var (key, _) in root.Entries)
        {
            if (key.Value == "version")
            {
                Reporter.Warning(ComposeCodes.Compat, "the top-level 'version' is obsolete in the Compose Specification and is ignored", key, "version");
            }
            else if (!TopLevelKeys.Contains(key.Value) && !key.Value.StartsWith("x-", StringComparison.Ordinal))
            {
                Reporter.Unsupported(key.Value, key, key.Value, $"top-level keys are {string.Join(", ", TopLevelKeys)} and x-*");
            }
        }

        var servicesNode = root.Get("services");
        var services = servicesNode as YMapping;
        if (servicesNode is not null && services is null && !YTree.IsNull(servicesNode))
        {
            Reporter.Error(ComposeCodes.Type, $"'services' needs a map of service names, found {ComposeScalars.Found(servicesNode)}", servicesNode, "services");
        }

        if (root.KeyNode("services") is { } servicesKey)
        {
            spec.KeyLocations["services"] = servicesKey.Location;
        }

        var scalars = new ComposeScalars(Reporter);
        var selection = ProfileFilter.Select(services, activeProfiles, scalars);
        var context = new ComposeMappingContext(session, new SpecBinder(Reporter.Diagnostics), ComposeResources.Read(root, Reporter), selection);
        var mapper = new ServiceMapper(context);
        foreach (var (key, value) in services?.Entries ?? [])
        {
            if (!selection.Enabled.Contains(key.Value))
            {
                continue;
            }

            var node = value switch
            {
                YMapping map => map,
                YScalar { IsNull: true } => YTree.Map(key.Location, []),
                _ => null,
            };
            if (node is null)
            {
                Reporter.Error(ComposeCodes.Type, $"service '{key.Value}' needs a map of settings, found {ComposeScalars.Found(value)}", value, $"services.{key.Value}");
                continue;
            }

            spec.Services[key.Value] = mapper.Map(key.Value, node, project.VariablesOf(key.Value));
        }

        return spec;
    }
}
