using ZLayer.Spec.Binding;
using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>depends_on</c> → <see cref="ServiceSpec.Depends"/>. The list form means <c>service_started</c>;
/// the map form's conditions map to Started, Healthy and Completed, and <c>required: false</c> lets
/// the service start anyway when the dependency does not come up (on_timeout: continue).
/// </summary>
internal sealed class DependsMapper(ComposeMappingContext context)
{
    private static readonly Dictionary<string, DependsCondition> Conditions = new(StringComparer.Ordinal)
    {
        ["service_started"] = DependsCondition.Started,
        ["service_healthy"] = DependsCondition.Healthy,
        ["service_completed_successfully"] = DependsCondition.Completed,
    };

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (!fields.Take("depends_on", out var key, out var node) || YTree.IsNull(node))
        {
            return;
        }

        var path = fields.PathOf("depends_on");
        switch (node)
        {
            case YSequence seq:
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (context.Scalars.Text(seq.Items[i], $"{path}[{i}]", out var target))
                    {
                        Add(fields, service, target, seq.Items[i], DependsCondition.Started, required: true, null, null, $"{path}[{i}]");
                    }
                }

                break;
            case YMapping map:
                foreach (var (targetKey, settings) in map.Entries)
                {
                    MapEntry(fields, service, targetKey, settings, $"{path}.{targetKey.Value}");
                }

                break;
            default:
                context.Reporter.Error(ComposeCodes.Type, $"'{path}' needs a list of services or a map of service: {{condition, required}}, found {ComposeScalars.Found(node)}", node, path);
                return;
        }

        ServiceFields.Mark(service, "depends", key);
    }

    private void MapEntry(ServiceFields fields, ServiceSpec service, YScalar target, YNode settings, string path)
    {
        var condition = DependsCondition.Started;
        var required = true;
        YScalar? conditionKey = null;
        YScalar? requiredKey = null;
        if (settings is YMapping map)
        {
            foreach (var (key, value) in map.Entries)
            {
                switch (key.Value)
                {
                    case "condition":
                        conditionKey = key;
                        if (!context.Scalars.Text(value, $"{path}.condition", out var text))
                        {
                            break;
                        }

                        if (Conditions.TryGetValue(text, out var known))
                        {
                            condition = known;
                        }
                        else
                        {
                            context.Reporter.Error(
                                ComposeCodes.Value,
                                $"'{path}.condition': unknown condition '{text}', expected {string.Join(", ", Conditions.Keys)}{Suggestions.DidYouMean(text, Conditions.Keys)}",
                                value,
                                $"{path}.condition");
                        }

                        break;
                    case "required":
                        requiredKey = key;
                        context.Scalars.Bool(value, $"{path}.required", out required);
                        break;
                    case "restart":
                        context.Reporter.Unsupported("depends_on.restart", key, $"{path}.restart", "a dependency's restart does not restart its dependents");
                        break;
                    default:
                        context.Reporter.Unsupported($"depends_on.{key.Value}", key, $"{path}.{key.Value}");
                        break;
                }
            }
        }
        else if (!YTree.IsNull(settings))
        {
            context.Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map with 'condition' and 'required', found {ComposeScalars.Found(settings)}", settings, path);
            return;
        }

        Add(fields, service, target.Value, target, condition, required, conditionKey, requiredKey, path);
    }

    private void Add(ServiceFields fields, ServiceSpec service, string target, YNode at, DependsCondition condition, bool required, YScalar? conditionKey, YScalar? requiredKey, string path)
    {
        var profiles = context.Profiles;
        if (!profiles.Exists(target))
        {
            context.Reporter.Error(ComposeCodes.Reference, $"service '{fields.Name}' depends on '{target}', which is not a service of this project", at, path);
            return;
        }

        if (!profiles.Enabled.Contains(target))
        {
            if (required)
            {
                context.Reporter.Error(ComposeCodes.Profile, $"service '{fields.Name}' depends on '{target}', which is disabled: {profiles.DescribeDisabled(target)}", at, path);
            }
            else
            {
                context.Reporter.Warning(ComposeCodes.Profile, $"optional dependency '{target}' of service '{fields.Name}' is dropped: {profiles.DescribeDisabled(target)}", at, path);
            }

            return;
        }

        var depends = new DependsSpec
        {
            Service = target,
            Condition = condition,
            OnTimeout = required ? TimeoutAction.Fail : TimeoutAction.Continue,
            Location = at.Location,
            SpecPath = path,
        };
        depends.KeyLocations["service"] = at.Location;
        if (conditionKey is not null)
        {
            ServiceFields.Mark(depends, "condition", conditionKey);
        }

        if (requiredKey is not null)
        {
            ServiceFields.Mark(depends, "on_timeout", requiredKey);
        }

        service.Depends.Add(depends);
    }
}
