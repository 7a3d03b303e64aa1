using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Maps one compose service onto a <see cref="ServiceSpec"/>: image here, the rest through the
/// field-group mappers, and finally a warning for every key none of them took.
/// </summary>
internal sealed class ServiceMapper(ComposeMappingContext context)
{
    /// <summary>Why some compose fields have no ZLayer counterpart, added to their warning; others get the plain warning.</summary>
    private static readonly Dictionary<string, string> KnownUnsupported = new(StringComparer.Ordinal)
    {
        ["container_name"] = "replicas get their own names",
        ["links"] = "services reach each other by name",
        ["external_links"] = "services reach each other by name",
        ["logging"] = "replica logs are kept by ZLayer",
        ["volumes_from"] = "mount the volumes explicitly",
        ["runtime"] = "ZLayer chooses the container runtime; see x-zlayer.runtime",
        ["develop"] = "there is no watch mode",
        ["gpus"] = "GPU requests are not carried over; use resources.gpu in a native ZLayer spec",
    };

    public ServiceSpec Map(string name, YMapping node, ComposeVariables variables)
    {
        var fields = new ServiceFields(name, node);
        var service = new ServiceSpec { Name = name, Location = node.Location, SpecPath = fields.Path };
        // Profiles decided whether this service is mapped at all (ProfileFilter); nothing more to carry.
        fields.Take("profiles", out _, out _);
        MapImage(fields, service);
        new CommandMapper(context).Map(fields, service);
        new EnvironmentMapper(context, variables).Map(fields, service);
        new PortMapper(context).Map(fields, service);
        new DependsMapper(context).Map(fields, service);
        new HealthcheckMapper(context).Map(fields, service);
        new DeployMapper(context).Map(fields, service);
        new StorageMapper(context).Map(fields, service);
        new NetworkFieldsMapper(context).Map(fields, service);
        new ContainerOptionsMapper(context).Map(fields, service);
        new ExtensionMapper(context).Map(fields, service);
        ReportUntaken(fields);
        return service;
    }

    private void MapImage(ServiceFields fields, ServiceSpec service)
    {
        var hasImage = fields.Take("image", out var imageKey, out var imageNode);
        if (fields.Take("build", out var buildKey, out _))
        {
            if (hasImage)
            {
                context.Reporter.Unsupported("build", buildKey, fields.PathOf("build"), "the image is pulled, not built");
            }
            else
            {
                context.Reporter.Error(ComposeCodes.Build, $"service '{fields.Name}': build is not supported; give an image", buildKey, fields.PathOf("build"));
            }
        }

        if (hasImage && context.Scalars.Text(imageNode, fields.PathOf("image"), out var text))
        {
            if (ImageReference.TryParse(text, out var reference, out var error))
            {
                service.Image = new ImageSpec { Name = reference, Location = imageNode.Location, SpecPath = fields.PathOf("image") };
                ServiceFields.Mark(service, "image", imageKey);
                ServiceFields.Mark(service.Image, "name", imageKey);
            }
            else
            {
                context.Reporter.Error(ComposeCodes.Value, $"'{fields.PathOf("image")}': {error}", imageNode, fields.PathOf("image"));
            }
        }
        else if (!hasImage && fields.Peek("build") is null && !RunsAsProcess(fields))
        {
            context.Reporter.Error(ComposeCodes.Type, $"service '{fields.Name}' needs an image", fields.Node, fields.Path);
        }

        if (fields.Take("pull_policy", out var pullKey, out var pullNode) && context.Scalars.Text(pullNode, fields.PathOf("pull_policy"), out var policy))
        {
            MapPullPolicy(fields, service, pullKey, pullNode, policy);
        }
    }

    private void MapPullPolicy(ServiceFields fields, ServiceSpec service, YScalar key, YNode node, string policy)
    {
        var path = fields.PathOf("pull_policy");
        PullPolicy? value = policy switch
        {
            "always" => PullPolicy.Always,
            "never" => PullPolicy.Never,
            "missing" or "if_not_present" => PullPolicy.IfNotPresent,
            _ => null,
        };
        if (value is null && (policy is "daily" or "weekly" || policy.StartsWith("every_", StringComparison.Ordinal)))
        {
            context.Reporter.Approximated($"pull_policy '{policy}' is read as 'newer': the registry is checked on every deploy, not on a schedule", node, path);
            value = PullPolicy.Newer;
        }

        if (value is null)
        {
            if (policy == "build")
            {
                context.Reporter.Unsupported("pull_policy: build", node, path, "images are pulled, not built");
            }
            else
            {
                context.Reporter.Error(ComposeCodes.Value, $"'{path}': unknown pull policy '{policy}', expected always, never, missing, if_not_present, daily, weekly or every_<duration>", node, path);
            }

            return;
        }

        if (service.Image is not null)
        {
            service.Image.PullPolicy = value.Value;
            ServiceFields.Mark(service.Image, "pull_policy", key);
        }
    }

    /// <summary>A host-process service (x-zlayer runtime: process) may run without an image.</summary>
    private static bool RunsAsProcess(ServiceFields fields) =>
        YTree.TextOf(YTree.Get(fields.Peek(ExtensionMapper.ZLayerKey), "runtime")) == "process";

    private void ReportUntaken(ServiceFields fields)
    {
        foreach (var (key, _) in fields.Untaken)
        {
            // x-* keys are Compose's own extension point: ignored by Compose too, and the usual home of anchors.
            if (key.Value.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            context.Reporter.Unsupported(key.Value, key, fields.PathOf(key.Value), KnownUnsupported.GetValueOrDefault(key.Value));
        }
    }
}
