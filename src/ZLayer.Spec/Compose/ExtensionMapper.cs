using ZLayer.Spec.Binding;
using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// The per-service extension blocks. <c>x-zlayer</c> holds ZLayer-only fields written in the native
/// spec format and bound by <see cref="SpecBinder"/>, so they get the native checks and messages; it
/// is applied last and wins over what the compose fields set (its health over <c>healthcheck</c>, its
/// scale over <c>deploy.replicas</c>). <c>x-fizz</c> placement and scaling blocks are read too; they
/// also win over the compose fields, and <c>x-zlayer</c> wins over them where both speak.
/// </summary>
internal sealed class ExtensionMapper(ComposeMappingContext context)
{
    public const string ZLayerKey = "x-zlayer";
    public const string FizzKey = "x-fizz";

    private static readonly string[] ZLayerKeys = ["endpoints", "scale", "init", "errors", "health", "runtime", "depends"];

    private ComposeReporter Reporter => context.Reporter;

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (fields.Take(FizzKey, out _, out var fizzNode))
        {
            MapFizz(fizzNode, fields.PathOf(FizzKey), service);
        }

        if (fields.Take(ZLayerKey, out _, out var zlayerNode))
        {
            MapZLayer(zlayerNode, fields.PathOf(ZLayerKey), service);
        }
    }

    private void MapZLayer(YNode node, string path, ServiceSpec service)
    {
        if (YTree.IsNull(node))
        {
            return;
        }

        if (node is not YMapping block)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map of ZLayer fields ({string.Join(", ", ZLayerKeys)}), found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        foreach (var (key, value) in block.Entries)
        {
            var keyPath = $"{path}.{key.Value}";
            switch (key.Value)
            {
                case "endpoints" when Bind<List<EndpointSpec>>(value, keyPath) is { } endpoints:
                    service.Endpoints = endpoints;
                    ServiceFields.Mark(service, "endpoints", key);
                    break;
                case "scale" when Bind<ScaleSpec>(value, keyPath) is { } scale:
                    service.Scale = scale;
                    ServiceFields.Mark(service, "scale", key);
                    break;
                case "init" when Bind<InitSpec>(value, keyPath) is { } init:
                    service.Init = init;
                    ServiceFields.Mark(service, "init", key);
                    break;
                case "errors" when Bind<ErrorsSpec>(value, keyPath) is { } errors:
                    service.Errors = errors;
                    ServiceFields.Mark(service, "errors", key);
                    break;
                case "health" when Bind<HealthSpec>(value, keyPath) is { } health:
                    service.Health = health;
                    ServiceFields.Mark(service, "health", key);
                    break;
                case "runtime":
                    if (context.Binder.TryBind(typeof(RuntimeKind), value, keyPath, out var runtime) && runtime is RuntimeKind kind)
                    {
                        service.Runtime = kind;
                        ServiceFields.Mark(service, "runtime", key);
                    }

                    break;
                case "depends" when Bind<List<DependsSpec>>(value, keyPath) is { } depends:
                    // An x-zlayer entry restates the dependency in ZLayer's terms; it replaces the depends_on one.
                    foreach (var extra in depends)
                    {
                        service.Depends.RemoveAll(d => d.Service == extra.Service);
                        service.Depends.Add(extra);
                    }

                    ServiceFields.Mark(service, "depends", key);
                    break;
                case "endpoints" or "scale" or "init" or "errors" or "health" or "depends":
                    break;
                default:
                    Reporter.Error("unknown-key", $"unknown key '{key.Value}' in '{path}'{Suggestions.DidYouMean(key.Value, ZLayerKeys)} (x-zlayer takes {string.Join(", ", ZLayerKeys)})", key, keyPath);
                    break;
            }
        }
    }

    private T? Bind<T>(YNode node, string path)
        where T : class =>
        context.Binder.TryBind(typeof(T), node, path, out var value) ? value as T : null;

    private void MapFizz(YNode node, string path, ServiceSpec service)
    {
        if (YTree.IsNull(node))
        {
            return;
        }

        if (node is not YMapping block)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map (placement, scaling), found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        foreach (var (key, value) in block.Entries)
        {
            var keyPath = $"{path}.{key.Value}";
            switch (key.Value)
            {
                case "placement":
                    MapFizzPlacement(key, value, keyPath, service);
                    break;
                case "scaling":
                    MapFizzScaling(key, value, keyPath, service);
                    break;
                default:
                    Reporter.Unsupported($"{FizzKey}.{key.Value}", key, keyPath);
                    break;
            }
        }
    }

    private void MapFizzPlacement(YScalar key, YNode node, string path, ServiceSpec service)
    {
        if (node is not YMapping placement)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map (labels, prefer_labels), found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        service.NodeSelector ??= new NodeSelectorSpec { Location = placement.Location, SpecPath = path };
        foreach (var (entryKey, value) in placement.Entries)
        {
            var entryPath = $"{path}.{entryKey.Value}";
            var target = entryKey.Value switch
            {
                "labels" => service.NodeSelector.Labels,
                "prefer_labels" => service.NodeSelector.PreferLabels,
                _ => null,
            };
            if (target is null)
            {
                Reporter.Unsupported($"{FizzKey}.placement.{entryKey.Value}", entryKey, entryPath);
                continue;
            }

            foreach (var label in context.Scalars.NamedValues(value, entryPath))
            {
                target[label.Name] = label.Value ?? "";
            }

            ServiceFields.Mark(service.NodeSelector, entryKey.Value, entryKey);
        }

        ServiceFields.Mark(service, "node_selector", key);
    }

    /// <summary><c>{min, max, cpu, memory, rps}</c> → adaptive scale; a missing bound takes ZLayer's default (1 and 10).</summary>
    private void MapFizzScaling(YScalar key, YNode node, string path, ServiceSpec service)
    {
        if (node is not YMapping scaling)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map (min, max, cpu, memory, rps), found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        var defaults = ScaleSpec.Default;
        var scale = new ScaleSpec { Mode = ScaleMode.Adaptive, Min = defaults.Min, Max = defaults.Max, Location = scaling.Location, SpecPath = path };
        ScaleTargets Targets() => scale.Targets ??= new ScaleTargets { Location = scaling.Location, SpecPath = path };
        foreach (var (entryKey, value) in scaling.Entries)
        {
            var entryPath = $"{path}.{entryKey.Value}";
            switch (entryKey.Value)
            {
                case "min" or "max":
                    if (context.Scalars.Integer(value, entryPath, 0, uint.MaxValue, out var bound))
                    {
                        if (entryKey.Value == "min")
                        {
                            scale.Min = (uint)bound;
                        }
                        else
                        {
                            scale.Max = (uint)bound;
                        }

                        ServiceFields.Mark(scale, entryKey.Value, entryKey);
                    }

                    break;
                case "cpu" or "memory":
                    if (context.Scalars.Integer(value, entryPath, 1, 100, out var percent))
                    {
                        if (entryKey.Value == "cpu")
                        {
                            Targets().Cpu = (byte)percent;
                        }
                        else
                        {
                            Targets().Memory = (byte)percent;
                        }

                        ServiceFields.Mark(Targets(), entryKey.Value, entryKey);
                    }

                    break;
                case "rps":
                    if (context.Scalars.Integer(value, entryPath, 1, uint.MaxValue, out var rps))
                    {
                        Targets().Rps = (uint)rps;
                        ServiceFields.Mark(Targets(), "rps", entryKey);
                    }

                    break;
                default:
                    Reporter.Unsupported($"{FizzKey}.scaling.{entryKey.Value}", entryKey, entryPath);
                    break;
            }
        }

        service.Scale = scale;
        ServiceFields.Mark(service, "scale", key);
    }
}
