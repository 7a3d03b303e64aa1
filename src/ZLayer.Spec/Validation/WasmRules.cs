using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>Upstream's WASM rules: the block only with wasm_* types, and capabilities within the type's defaults.</summary>
internal static class WasmRules
{
    // Capabilities each service_type enables by default (a capability set true must be in its type's set).
    private static readonly Dictionary<ServiceType, string[]> DefaultCapabilities = new()
    {
        [ServiceType.WasmHttp] = ["config", "keyvalue", "logging", "secrets", "metrics", "http_client"],
        [ServiceType.WasmPlugin] = ["config", "keyvalue", "logging", "secrets", "metrics", "http_client"],
        [ServiceType.WasmTransformer] = ["logging", "metrics"],
        [ServiceType.WasmAuthenticator] = ["config", "keyvalue", "logging", "secrets", "metrics", "http_client"],
        [ServiceType.WasmRateLimiter] = ["config", "keyvalue", "logging", "metrics"],
        [ServiceType.WasmMiddleware] = ["config", "logging", "metrics"],
        [ServiceType.WasmRouter] = ["config", "keyvalue", "logging", "metrics"],
    };

    public static void Validate(ValidationContext ctx, ServiceSpec service)
    {
        if (service.ServiceType == ServiceType.WasmHttp && service.Endpoints.Count > 0 &&
            !service.Endpoints.Any(e => e.Protocol is EndpointProtocol.Http or EndpointProtocol.Https))
        {
            ctx.Error("wasm", service, "endpoints", "a wasm_http service with endpoints needs at least one http or https endpoint");
        }

        if (service.Wasm is not { } wasm)
        {
            return;
        }

        if (!DefaultCapabilities.TryGetValue(service.ServiceType, out var allowed))
        {
            ctx.Error("wasm", service, "wasm", $"'wasm' is only allowed with a wasm_* service_type (this service is {service.ServiceType.ToString().ToLowerInvariant()})");
            return;
        }

        if (wasm.MinInstances > wasm.MaxInstances)
        {
            ctx.Error("wasm", wasm, "min_instances", $"min_instances ({wasm.MinInstances}) must not exceed max_instances ({wasm.MaxInstances})");
        }

        foreach (var preopen in wasm.Preopens)
        {
            if (preopen.Source.Length == 0 || preopen.Target.Length == 0)
            {
                ctx.Error("wasm", preopen, preopen.Source.Length == 0 ? "source" : "target", "preopen source and target must not be empty");
            }
        }

        if (wasm.Capabilities is { } caps)
        {
            (string Name, bool Enabled)[] requested =
            [
                ("config", caps.Config), ("keyvalue", caps.Keyvalue), ("logging", caps.Logging), ("secrets", caps.Secrets),
                ("metrics", caps.Metrics), ("http_client", caps.HttpClient), ("cli", caps.Cli), ("filesystem", caps.Filesystem), ("sockets", caps.Sockets),
            ];
            foreach (var (name, enabled) in requested)
            {
                if (enabled && !allowed.Contains(name))
                {
                    var key = caps.Has(name) ? name : "capabilities";
                    var hint = caps.Has(name) ? "" : $" (omitted flags default to true; set {name}: false)";
                    ctx.Error("wasm", caps.Has(name) ? caps : wasm, key, $"capability '{name}' is not available to {SpecName(service.ServiceType)}{hint}");
                }
            }
        }
    }

    private static string SpecName(ServiceType type) => Binding.SpecNaming.EnumValueOf(typeof(ServiceType), type);
}
