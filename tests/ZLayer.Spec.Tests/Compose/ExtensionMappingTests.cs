using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary><c>x-zlayer</c> (native ZLayer fields) and <c>x-fizz</c> blocks.</summary>
public sealed class ExtensionMappingTests
{
    [Fact]
    public void X_zlayer_carries_native_fields()
    {
        var result = Load(
            """
            services:
              api:
                image: ghcr.io/acme/api:1
                ports: ["8080:8080"]
                healthcheck:
                  test: ["CMD", "true"]
                deploy:
                  replicas: 2
                depends_on:
                  db: {condition: service_started}
                x-zlayer:
                  runtime: docker
                  endpoints:
                    - name: http
                      protocol: https
                      port: 443
                      target_port: 8080
                      host: api.example.com
                      path: /v1
                      expose: public
                  scale:
                    mode: adaptive
                    min: 2
                    max: 8
                    targets: {cpu: 70}
                  health:
                    check: {type: http, url: "http://localhost:8080/healthz"}
                  init:
                    steps:
                      - {id: wait-db, uses: init.wait_tcp, with: {host: db, port: 5432}}
                  errors:
                    on_panic: {action: isolate}
                  depends:
                    - {service: db, condition: ready, timeout: 2m}
              db: {image: postgres}
            """);
        result.Clean();
        var api = result.Service("api");
        Assert.Equal(RuntimeKind.Docker, api.Runtime);
        var endpoint = api.Endpoints.Single();
        Assert.Equal(("http", EndpointProtocol.Https, (ushort)443, (ushort?)8080, "api.example.com", "/v1", ExposeMode.Public),
            (endpoint.Name, endpoint.Protocol, endpoint.Port, endpoint.TargetPort, endpoint.Host, endpoint.Path, endpoint.Expose));
        Assert.Equal((14, 11), (endpoint.Location.Line, endpoint.Location.Column));
        Assert.Equal("services.api.x-zlayer.endpoints[0]", endpoint.SpecPath);
        // x-zlayer wins over the compose fields that say the same thing.
        Assert.Equal((ScaleMode.Adaptive, 2u, 8u, (byte?)70), (api.Scale!.Mode, api.Scale.Min!.Value, api.Scale.Max!.Value, api.Scale.Targets!.Cpu));
        Assert.Equal(HealthCheckType.Http, api.Health!.Check.Type);
        var depends = api.Depends.Single();
        Assert.Equal((DependsCondition.Ready, TimeSpan.FromMinutes(2)), (depends.Condition, depends.Timeout!.Value.Value));
        Assert.Equal("init.wait_tcp", api.Init!.Steps.Single().Uses);
        Assert.Equal(PanicAction.Isolate, api.Errors!.OnPanic!.Action);
        // Published ports stay port mappings next to the endpoints.
        Assert.Single(api.PortMappings);
    }

    [Fact]
    public void X_zlayer_uses_the_native_checks_and_messages()
    {
        var result = Load(
            """
            services:
              api:
                image: nginx
                x-zlayer:
                  endpoint:
                    - {name: http}
                  scale: {mode: fixed}
                  runtime: podman
            """);
        var unknown = result.Single("unknown key 'endpoint'");
        Assert.Contains("did you mean 'endpoints'?", unknown.Message, StringComparison.Ordinal);
        At(unknown, 5, 7);
        At(result.Single("needs 'replicas'"), 7, 14);
        Assert.Contains(result.Errors, e => e.Path == "services.api.x-zlayer.runtime" && e.Message.Contains("podman", StringComparison.Ordinal));
    }

    [Fact]
    public void A_process_runtime_service_needs_no_image()
    {
        var result = Load(
            """
            services:
              tool:
                entrypoint: ["/usr/local/bin/tool", "serve"]
                x-zlayer: {runtime: process}
            """);
        result.Clean();
        Assert.Null(result.Service("tool").Image);
    }

    [Fact]
    public void X_fizz_placement_and_scaling()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                deploy:
                  placement:
                    constraints: ["node.labels.region==eu"]
                x-fizz:
                  placement:
                    labels: {gpu: "true"}
                    prefer_labels: {zone: eu-1a}
                  scaling:
                    min: 2
                    max: 6
                    cpu: 75
                    rps: 100
                  flavour: large
            """);
        var web = result.Service("web");
        Assert.Equal(new Dictionary<string, string> { ["region"] = "eu", ["gpu"] = "true" }, web.NodeSelector!.Labels);
        Assert.Equal(new Dictionary<string, string> { ["zone"] = "eu-1a" }, web.NodeSelector.PreferLabels);
        Assert.Equal((ScaleMode.Adaptive, 2u, 6u), (web.Scale!.Mode, web.Scale.Min!.Value, web.Scale.Max!.Value));
        Assert.Equal(((byte?)75, (byte?)null, (uint?)100), (web.Scale.Targets!.Cpu, web.Scale.Targets.Memory, web.Scale.Targets.Rps));
        At(result.Single("'x-fizz.flavour' is not supported"), 16, 7);
    }

    [Fact]
    public void X_zlayer_scale_wins_over_x_fizz_scaling()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                x-fizz:
                  scaling: {min: 1, max: 3}
                x-zlayer:
                  scale: {mode: fixed, replicas: 5}
            """);
        result.Clean();
        Assert.Equal((ScaleMode.Fixed, 5u), (result.Service("web").Scale!.Mode, result.Service("web").Scale!.Replicas!.Value));
    }

    [Fact]
    public void Other_x_keys_are_ignored_silently_like_compose()
    {
        var result = Load(
            """
            x-defaults: &defaults
              image: nginx
              restart: always
            x-anything: {free: form}
            services:
              web:
                <<: *defaults
                x-team: web
            """);
        result.Clean();
        Assert.Equal(RestartKind.Always, result.Service("web").RestartPolicy!.Kind);
    }
}
