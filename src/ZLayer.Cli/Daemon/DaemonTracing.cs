using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ZLayer.Control.Telemetry;
using ZLayer.Proxy.Tracing;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// OTLP export of the daemon's spans (deploys, reconcile passes, proxied requests), on only when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set. The exporter reads the standard OTEL_* variables itself
/// (protocol, headers, timeout, batch delay); they are checked here first so that a typo is
/// said once at start instead of spans silently going nowhere.
/// </summary>
internal static class DaemonTracing
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    /// <summary>The tracer provider to dispose on stop (which flushes the last spans), or null when tracing is off.</summary>
    public static TracerProvider? Start(DaemonLogger log)
    {
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            log.Warn($"tracing is off: {EndpointVariable} must be an http or https URL, got '{endpoint}'");
            return null;
        }

        var protocol = Environment.GetEnvironmentVariable(ProtocolVariable);
        if (!string.IsNullOrEmpty(protocol) && protocol is not ("grpc" or "http/protobuf"))
        {
            log.Warn($"tracing is off: {ProtocolVariable} must be grpc or http/protobuf, got '{protocol}'");
            return null;
        }

        var resource = ResourceBuilder.CreateDefault();
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ServiceNameVariable)))
        {
            // The SDK's default is unknown_service:zlayer; the daemon knows better. OTEL_SERVICE_NAME, when set, wins.
            resource.AddService("zlayer", serviceVersion: typeof(DaemonTracing).Assembly.GetName().Version?.ToString(3), serviceInstanceId: Environment.MachineName);
        }

        var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(ControlTelemetry.SourceName, ProxyTracing.SourceName)
            .AddOtlpExporter()
            .Build();
        log.Info("tracing on: spans go over OTLP", ("endpoint", $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}"), ("protocol", string.IsNullOrEmpty(protocol) ? "grpc" : protocol));
        return provider;
    }
}
