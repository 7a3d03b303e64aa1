using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests;

public sealed class BinderTests
{
    // ---- unknown keys -------------------------------------------------------------------------

    [Theory]
    [InlineData("imgae: { name: redis }", "imgae", "services.web", "image")]
    [InlineData("endpoints: [{ name: h, protocol: http, prot: 80 }]", "prot", "services.web.endpoints[0]", "port")]
    [InlineData("resources: { cpus: 1 }", "cpus", "services.web.resources", "cpu")]
    [InlineData("scale: { mode: fixed, replica: 2 }", "replica", "services.web.scale", "replicas")]
    [InlineData("health: { intervall: 5s, check: { type: tcp, port: 80 } }", "intervall", "services.web.health", "interval")]
    [InlineData("depends: [{ servce: x }]", "servce", "services.web.depends[0]", "service")]
    [InlineData("init: { stepss: [] }", "stepss", "services.web.init", "steps")]
    [InlineData("init: { steps: [{ id: a, uses: init.run, with: { command: x }, on_falure: warn }] }", "on_falure", "services.web.init.steps[0]", "on_failure")]
    [InlineData("errors: { on_panick: { action: restart } }", "on_panick", "services.web.errors", "on_panic")]
    [InlineData("errors: { on_panic: { acton: restart } }", "acton", "services.web.errors.on_panic", "action")]
    [InlineData("storage: [{ type: bind, source: /a, target: /b, read_only: true }]", "read_only", "services.web.storage[0]", "readonly")]
    [InlineData("devices: [{ path: /dev/kvm, mknode: true }]", "mknode", "services.web.devices[0]", "mknod")]
    [InlineData("node_selector: { label: { a: b } }", "label", "services.web.node_selector", "labels")]
    [InlineData("replica_groups: [{ role: a, count: 1, image: { name: x }, envv: {} }]", "envv", "services.web.replica_groups[0]", "env")]
    [InlineData("lifecycle: { delete_on_exitt: true }", "delete_on_exitt", "services.web.lifecycle", "delete_on_exit")]
    [InlineData("restart_policy: { kind: always, max_attempt: 3 }", "max_attempt", "services.web.restart_policy", "max_attempts")]
    [InlineData("ulimits: { nofile: { sotf: 1 } }", "sotf", "services.web.ulimits.nofile", "soft")]
    [InlineData("network: { overlay: {} }", "overlay", "services.web.network", "overlays")]
    [InlineData("network: { overlays: { service: { enable: true } } }", "enable", "services.web.network.overlays.service", "enabled")]
    [InlineData("network: { join: { mod: open } }", "mod", "services.web.network.join", "mode")]
    [InlineData("command: { entrypont: [x] }", "entrypont", "services.web.command", "entrypoint")]
    [InlineData("endpoints: [{ name: t, protocol: tcp, port: 81, stream: { tsl: true } }]", "tsl", "services.web.endpoints[0].stream", "tls")]
    [InlineData("endpoints: [{ name: t, protocol: tcp, port: 81, tunnel: { enabeld: true } }]", "enabeld", "services.web.endpoints[0].tunnel", "enabled")]
    [InlineData("endpoints: [{ name: t, protocol: tcp, port: 81, tunnel: { access: { max_tll: 1h } } }]", "max_tll", "services.web.endpoints[0].tunnel.access", "max_ttl")]
    [InlineData("resources: { gpu: { cuont: 1 } }", "cuont", "services.web.resources.gpu", "count")]
    [InlineData("resources: { gpu: { distributed: { backnd: nccl } } }", "backnd", "services.web.resources.gpu.distributed", "backend")]
    [InlineData("service_type: wasm_http\nwasm: { min_instance: 1 }", "min_instance", "services.web.wasm", "min_instances")]
    [InlineData("service_type: wasm_http\nwasm: { capabilities: { loging: true } }", "loging", "services.web.wasm.capabilities", "logging")]
    [InlineData("service_type: wasm_http\nwasm: { preopens: [{ source: /a, target: /b, read_only: true }] }", "read_only", "services.web.wasm.preopens[0]", "readonly")]
    [InlineData("volume: [\"a:/b\"]", "volume", "services.web", null)]
    [InlineData("replicas: 3", "replicas", "services.web", null)]
    public void Unknown_keys_in_closed_blocks_are_errors_with_a_suggestion_and_place(string body, string key, string parent, string? suggestion)
    {
        var yaml = OneService(body);
        var error = SingleError(Load(yaml));
        Assert.Equal("unknown-key", error.Code);
        Assert.Equal($"{parent}.{key}", error.Path);
        var expected = $"unknown key '{key}' in '{parent}'" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?");
        Assert.Equal(expected, error.Message);
        AssertAt(error, yaml, key + ":", after: "image: { name: nginx:alpine }");
    }

    [Fact]
    public void Unknown_top_level_keys_are_errors()
    {
        const string yaml = "version: v1\ndeployment: demo\nservice:\n  web: {}\n";
        var error = SingleError(Load(yaml));
        Assert.Equal("unknown key 'service' in the document; did you mean 'services'?", error.Message);
        Assert.Equal("test.zlayer.yaml:3:1", error.Location.ToString());
    }

    [Fact]
    public void Unknown_keys_in_externals_and_tunnels_are_errors()
    {
        var yaml = Services("web: { image: { name: nginx } }", """
            externals:
              media: { backends: ["10.0.0.1:80"], backend: [] }
            tunnels:
              t: { from: a, to: b, local_port: 1, remote_port: 2, protcol: tcp }
            """);
        var errors = Errors(Load(yaml));
        Assert.Equal(
            ["unknown key 'backend' in 'externals.media'; did you mean 'backends'?", "unknown key 'protcol' in 'tunnels.t'; did you mean 'protocol'?"],
            errors.Select(e => e.Message));
        AssertAt(errors[0], yaml, "backend:");
        AssertAt(errors[1], yaml, "protcol");
    }

    [Fact]
    public void Unknown_key_in_the_image_block_is_an_error()
    {
        var yaml = OneService("").Replace("{ name: nginx:alpine }", "{ name: nginx:alpine, pul_policy: always }", StringComparison.Ordinal);
        var error = SingleError(Load(yaml));
        Assert.Equal("unknown key 'pul_policy' in 'services.web.image'; did you mean 'pull_policy'?", error.Message);
        AssertAt(error, yaml, "pul_policy");
    }

    [Fact]
    public void Every_unknown_key_is_reported_not_only_the_first()
    {
        var yaml = OneService("replicass: 3\nportt: 80\nresources: { cpuu: 1, memroy: 1Gi }");
        var errors = Errors(Load(yaml));
        Assert.Equal(["replicass", "portt", "cpuu", "memroy"], errors.Select(e => e.Path.Split('.')[^1]));
        Assert.Equal([6, 7, 8, 8], errors.Select(e => e.Location.Line));
    }

    // ---- open blocks --------------------------------------------------------------------------

    [Theory]
    [InlineData("logs: { destination: disk, rotate: true }", "rotate", "services.web.logs")]
    [InlineData("platform: { os: linux, variant: v8 }", "variant", "services.web.platform")]
    [InlineData("port_mappings: [{ container_port: 80, hostport: 8080 }]", "hostport", "services.web.port_mappings[0]")]
    [InlineData("health: { check: { type: http, url: \"http://localhost/\", path: /x } }", "path", "services.web.health.check")]
    [InlineData("overlay: { mode: shared, color: blue }", "color", "services.web.overlay")]
    [InlineData("endpoints: [{ name: t, protocol: tcp, port: 81, stream: { health_check: { type: tcp_connect, every: 5s } } }]", "every", "services.web.endpoints[0].stream.health_check")]
    public void Unknown_keys_in_open_blocks_are_warnings(string body, string key, string parent)
    {
        var yaml = OneService(body);
        var result = Load(yaml);
        AssertValid(result);
        var warning = SingleWarning(result);
        Assert.Equal("unknown-key", warning.Code);
        Assert.StartsWith($"unknown key '{key}' in '{parent}' is ignored", warning.Message);
        AssertAt(warning, yaml, key + ":", after: "image: { name: nginx:alpine }");
    }

    [Fact]
    public void Unknown_keys_in_the_api_block_are_warnings()
    {
        var result = Load("version: v1\ndeployment: demo\napi: { enabled: true, bindd: \"0.0.0.0:1\" }\n");
        AssertValid(result);
        var warning = SingleWarning(result);
        Assert.Equal("unknown key 'bindd' in 'api' is ignored; did you mean 'bind'?", warning.Message);
        Assert.Equal("test.zlayer.yaml:3:23", warning.Location.ToString());
    }

    [Fact]
    public void Keys_of_another_check_type_in_the_open_health_check_are_warnings()
    {
        // Upstream's tagged check enum ignores fields it does not know, including another variant's.
        var yaml = OneService("health: { check: { type: http, url: \"http://localhost/\", port: 80 } }");
        var result = Load(yaml);
        AssertValid(result);
        var warning = SingleWarning(result);
        Assert.Equal("unknown-key", warning.Code);
        Assert.Contains("'port'", warning.Message);
        Assert.Contains("type: http", warning.Message);
        AssertAt(warning, yaml, "port: 80");
        Assert.Null(result.Spec!.Services["web"].Health!.Check.Port);
    }

    [Fact]
    public void Open_block_warnings_stay_warnings_under_strict()
    {
        var result = Load(OneService("logs: { rotate: true }"), strict: true);
        AssertValid(result);
        Assert.False(SingleWarning(result).IsError);
    }

    // ---- type mismatches ----------------------------------------------------------------------

    [Theory]
    [InlineData("endpoints: [{ name: h, protocol: http, port: http }]", "http }", "'services.web.endpoints[0].port' needs a whole number (0-65535), found 'http'")]
    [InlineData("endpoints: [{ name: h, protocol: http, port: \"80\" }]", "\"80\"", "'services.web.endpoints[0].port' needs a whole number (0-65535), found the string \"80\"; write it without quotes")]
    [InlineData("scale: { mode: fixed, replicas: 2.5 }", "2.5", "'services.web.scale.replicas' needs a whole number (0-4294967295), found '2.5'")]
    [InlineData("endpoints: { name: h }", "{ name: h }", "'services.web.endpoints' needs a list, found a map")]
    [InlineData("resources: [1]", "[1]", "'services.web.resources' needs a map, found a list")]
    [InlineData("resources: big", "big", "'services.web.resources' needs a map, found 'big'")]
    [InlineData("privileged: yes", "yes", "'services.web.privileged' needs true or false, found 'yes'")]
    [InlineData("privileged: \"true\"", "\"true\"", "'services.web.privileged' needs true or false, found 'true'")]
    [InlineData("privileged: [true]", "[true]", "'services.web.privileged' needs true or false, found a list")]
    [InlineData("hostname: [a, b]", "[a, b]", "'services.web.hostname' needs a text value, found a list")]
    [InlineData("dns: 1.1.1.1", "1.1.1.1", "'services.web.dns' needs a list, found '1.1.1.1'")]
    [InlineData("labels: [a]", "[a]", "'services.web.labels' needs a map, found a list")]
    [InlineData("env: \"A=b\"", "\"A=b\"", "'services.web.env' needs a map of NAME: value, found 'A=b'")]
    [InlineData("env: { A: [1] }", "[1]", "'services.web.env.A' needs a text value, found a list")]
    [InlineData("resources: { cpu: lots }", "lots", "'services.web.resources.cpu' needs a number, found 'lots'")]
    [InlineData("resources: { cpu: .inf }", ".inf", "'services.web.resources.cpu' needs a number, found '.inf'")]
    [InlineData("stop_grace_period: [1s]", "[1s]", "'services.web.stop_grace_period' needs a duration such as 30s, 5m, 1h30m, 500ms, 2days, found a list")]
    [InlineData("network_mode: { bridge: {} }", "{ bridge: {} }", "'services.web.network_mode' needs default, host, none, bridge, bridge:NAME, container:ID, {bridge: {name}} or {container: {id}}")]
    [InlineData("affinity: random", "random", "'services.web.affinity' needs spread, pack or {pin: \"key=value\"}")]
    public void Type_mismatches_name_the_expected_type(string body, string marker, string message)
    {
        var yaml = OneService(body);
        var error = SingleError(Load(yaml));
        Assert.Equal("type", error.Code);
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, marker, after: "image: { name: nginx:alpine }");
    }

    [Theory]
    [InlineData("endpoints: [{ name: h, protocol: http, port: ~ }]", "~", "'services.web.endpoints[0].port' needs a whole number (0-65535), found null")]
    [InlineData("scale:\n  mode: fixed\n  replicas:\n  # nothing", null, "'services.web.scale.replicas' needs a whole number (0-4294967295), found null")]
    [InlineData("scale: { mode: adaptive, min: 1, max: null }", "null", "'services.web.scale.max' needs a whole number (0-4294967295), found null")]
    [InlineData("endpoints: [{ name: ~, protocol: http, port: 80 }]", "~", "'services.web.endpoints[0].name' needs a text value, found null")]
    [InlineData("depends: [{ service: ~ }]", "~", "'services.web.depends[0].service' needs a text value, found null")]
    [InlineData("replica_groups: [{ role: ~, count: 1 }]", "~", "'services.web.replica_groups[0].role' needs a text value, found null")]
    [InlineData("storage: [{ type: anonymous, target: ~ }]", "~", "'services.web.storage[0].target' needs a text value, found null")]
    [InlineData("devices: [{ path: ~ }]", "~", "'services.web.devices[0].path' needs a text value, found null")]
    [InlineData("init: { steps: [{ id: ~, uses: init.run, with: { command: x } }] }", "~", "'services.web.init.steps[0].id' needs a text value, found null")]
    [InlineData("health: { check: ~ }", "~", "'services.web.health.check' needs a map, found null")]
    [InlineData("network_mode: ~", "~", "'services.web.network_mode' needs default, host, none, bridge, bridge:NAME or container:ID, found null")]
    [InlineData("image: ~", "~", "service 'web' needs 'image' (or runtime: process with command.entrypoint)")]
    [InlineData("extra_hosts: [~]", "~", "'services.web.extra_hosts[0]' needs a text value, found null")]
    [InlineData("dns: [\"1.1.1.1\", null]", "null", "'services.web.dns[1]' needs a text value, found null")]
    public void Null_where_a_value_is_required_is_an_error(string body, string? marker, string message)
    {
        var yaml = OneService(body).Replace("    image: { name: nginx:alpine }\n    image:", "    image:", StringComparison.Ordinal);
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        if (marker is not null)
        {
            AssertAt(error, yaml, marker, after: "web:");
        }
    }

    [Theory]
    [InlineData("version: v1\ndeployment:\nservices: {}\n", "'deployment' needs a text value, found null", "test.zlayer.yaml:2:12")]
    [InlineData("version: ~\ndeployment: demo\n", "'version' needs a text value, found null", "test.zlayer.yaml:1:10")]
    [InlineData("version: v1\ndeployment: demo\nservices:\n  web:\n", "'services.web' needs a map, found null", "test.zlayer.yaml:4:7")]
    public void Null_for_a_required_top_level_value_is_one_error(string yaml, string message, string location)
    {
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        Assert.Equal(location, error.Location.ToString());
    }

    [Fact]
    public void Null_for_an_optional_block_leaves_the_default()
    {
        var result = Load(OneService("env: ~\nendpoints: ~\nlabels:\nresources: ~\ncommand: ~"));
        AssertClean(result);
        var web = result.Spec!.Services["web"];
        Assert.Empty(web.Env);
        Assert.Empty(web.Endpoints);
        Assert.Empty(web.Labels);
        Assert.Null(web.Resources);
        Assert.Null(web.Command);
    }

    [Fact]
    public void Null_env_values_are_empty_strings()
    {
        var result = Load(OneService("env: { A: ~, B: }"));
        AssertClean(result);
        Assert.Equal("", result.Spec!.Services["web"].Env["A"]);
        Assert.Equal("", result.Spec.Services["web"].Env["B"]);
    }

    [Fact]
    public void Scalars_in_string_maps_are_read_as_text()
    {
        var result = Load(OneService("env: { PORT: 8080, DEBUG: true, RATIO: 0.5 }\nlabels: { tier: 1 }"));
        AssertClean(result);
        var web = result.Spec!.Services["web"];
        Assert.Equal("8080", web.Env["PORT"]);
        Assert.Equal("true", web.Env["DEBUG"]);
        Assert.Equal("0.5", web.Env["RATIO"]);
        Assert.Equal("1", web.Labels["tier"]);
    }

    // ---- ranges -------------------------------------------------------------------------------

    [Theory]
    [InlineData("endpoints: [{ name: h, protocol: http, port: 70000 }]", "70000", "'services.web.endpoints[0].port' must be between 0 and 65535, found 70000")]
    [InlineData("endpoints: [{ name: h, protocol: http, port: -1 }]", "-1", "'services.web.endpoints[0].port' must be between 0 and 65535, found -1")]
    [InlineData("scale: { mode: fixed, replicas: -2 }", "-2", "'services.web.scale.replicas' must be between 0 and 4294967295, found -2")]
    [InlineData("resources: { memory_swappiness: 300 }", "300", "'services.web.resources.memory_swappiness' must be between 0 and 255, found 300")]
    [InlineData("scale: { mode: adaptive, min: 1, max: 2, targets: { cpu: 1000 } }", "1000", "'services.web.scale.targets.cpu' must be between 0 and 255, found 1000")]
    [InlineData("resources: { pids_limit: 99999999999999999999 }", "9999", "'services.web.resources.pids_limit' must be between -9223372036854775808 and 9223372036854775807, found 99999999999999999999")]
    public void Numbers_out_of_range_name_the_range(string body, string marker, string message)
    {
        var yaml = OneService(body);
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, marker, after: "image: { name: nginx:alpine }");
    }

    // ---- enums --------------------------------------------------------------------------------

    [Theory]
    [InlineData("endpoints: [{ name: h, protocol: htp, port: 80 }]", "htp", "'services.web.endpoints[0].protocol': unknown value 'htp', expected one of http, https, tcp, udp, websocket; did you mean 'http'?")]
    [InlineData("rtype: corn", "corn", "'services.web.rtype': unknown value 'corn', expected one of service, job, cron; did you mean 'cron'?")]
    [InlineData("service_type: wasm-http", "wasm-http", "'services.web.service_type': unknown value 'wasm-http', expected one of standard, wasm_http, wasm_plugin, wasm_transformer, wasm_authenticator, wasm_rate_limiter, wasm_middleware, wasm_router, job; did you mean 'wasm_http'?")]
    [InlineData("endpoints: [{ name: h, protocol: http, port: 80, expose: private }]", "private", "'services.web.endpoints[0].expose': unknown value 'private', expected one of public, internal")]
    [InlineData("node_mode: Dedicated", "Dedicated", "'services.web.node_mode': unknown value 'Dedicated', expected one of shared, dedicated, exclusive; did you mean 'dedicated'?")]
    [InlineData("resources: { gpu: { sharing: time_slice } }", "time_slice", "'services.web.resources.gpu.sharing': unknown value 'time_slice', expected one of exclusive, mps, time-slice; did you mean 'time-slice'?")]
    [InlineData("depends: [{ service: web2, condition: healthyy }]", "healthyy", "'services.web.depends[0].condition': unknown value 'healthyy', expected one of started, healthy, ready, completed; did you mean 'healthy'?")]
    public void Unknown_enum_values_list_the_choices_and_suggest_one(string body, string marker, string message)
    {
        var yaml = OneService(body);
        var error = Errors(Load(yaml)).First(e => e.Code == "type");
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, marker, after: "image: { name: nginx:alpine }");
    }

    [Fact]
    public void Kebab_case_enum_values_are_read()
    {
        var result = Load(OneService("resources: { gpu: { sharing: time-slice, scheduling: best-effort } }\nisolation: hyperv\nplatform: { os: windows, osVersion: \"10.0.17763\" }"));
        AssertClean(result);
        var web = result.Spec!.Services["web"];
        Assert.Equal(GpuSharing.TimeSlice, web.Resources!.Gpu!.Sharing);
        Assert.Equal(GpuScheduling.BestEffort, web.Resources.Gpu.Scheduling);
        Assert.Equal("10.0.17763", web.Platform!.OsVersion);
    }

    // ---- unions -------------------------------------------------------------------------------

    [Theory]
    [InlineData("scale: { mode: fixed, replicas: 2, min: 1 }", "min", "key 'min' is not allowed with mode: fixed (allowed: replicas)")]
    [InlineData("scale: { mode: adaptive, min: 1, max: 2, replicas: 2 }", "replicas", "key 'replicas' is not allowed with mode: adaptive (allowed: min, max, cooldown, targets)")]
    [InlineData("scale: { mode: manual, replicas: 2 }", "replicas", "key 'replicas' is not allowed with mode: manual")]
    [InlineData("storage: [{ type: bind, source: /a, target: /b, name: vol }]", "name", "key 'name' is not allowed with type: bind (allowed: source, target, readonly)")]
    [InlineData("storage: [{ type: tmpfs, target: /t, readonly: true }]", "readonly", "key 'readonly' is not allowed with type: tmpfs (allowed: target, size, mode)")]
    [InlineData("storage: [{ type: anonymous, target: /t, size: 1Gi }]", "size", "key 'size' is not allowed with type: anonymous (allowed: target, tier)")]
    public void Keys_of_another_variant_are_errors_naming_the_allowed_keys(string body, string key, string message)
    {
        var yaml = OneService(body);
        var error = SingleError(Load(yaml));
        Assert.Equal("unknown-key", error.Code);
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, key + ":", after: body.Contains("type:") ? "type:" : "mode:");
    }

    [Theory]
    [InlineData("scale: { replicas: 2 }", "'services.web.scale' needs 'mode' (one of adaptive, fixed, manual)")]
    [InlineData("health: { check: { port: 80 } }", "'services.web.health.check' needs 'type' (one of tcp, http, command)")]
    [InlineData("storage: [{ target: /a }]", "'services.web.storage[0]' needs 'type' (one of bind, named, anonymous, tmpfs, s3)")]
    [InlineData("scale: { mode: fixed }", "'services.web.scale' (mode: fixed) needs 'replicas'")]
    [InlineData("scale: { mode: adaptive, min: 1 }", "'services.web.scale' (mode: adaptive) needs 'max'")]
    [InlineData("health: { check: { type: tcp } }", "'services.web.health.check' (type: tcp) needs 'port'")]
    [InlineData("health: { check: { type: http } }", "'services.web.health.check' (type: http) needs 'url'")]
    [InlineData("health: { check: { type: command } }", "'services.web.health.check' (type: command) needs 'command'")]
    [InlineData("health: { retries: 3 }", "'services.web.health' needs 'check'")]
    [InlineData("storage: [{ type: bind, target: /a }]", "'services.web.storage[0]' (type: bind) needs 'source'")]
    [InlineData("storage: [{ type: named, target: /a }]", "'services.web.storage[0]' (type: named) needs 'name'")]
    [InlineData("storage: [{ type: s3, target: /a }]", "'services.web.storage[0]' (type: s3) needs 'bucket'")]
    [InlineData("storage: [{ type: tmpfs }]", "'services.web.storage[0]' (type: tmpfs) needs 'target'")]
    [InlineData("endpoints: [{ name: h, port: 80 }]", "'services.web.endpoints[0]' needs 'protocol'")]
    [InlineData("endpoints: [{ name: h, protocol: tcp }]", "'services.web.endpoints[0]' needs 'port'")]
    [InlineData("init: { steps: [{ uses: init.run, with: { command: x } }] }", "'services.web.init.steps[0]' needs 'id'")]
    [InlineData("restart_policy: { max_attempts: 3 }", "'services.web.restart_policy' needs 'kind'")]
    [InlineData("port_mappings: [{ host_port: 80 }]", "'services.web.port_mappings[0]' needs 'container_port'")]
    [InlineData("replica_groups: [{ role: a }]", "'services.web.replica_groups[0]' needs 'count'")]
    [InlineData("endpoints: [{ name: u, protocol: udp, port: 81, stream: { health_check: { type: udp_probe } } }]", "'services.web.endpoints[0].stream.health_check' (type: udp_probe) needs 'request'")]
    public void Missing_required_keys_are_one_error_each(string body, string message)
    {
        var error = SingleError(Load(OneService(body)));
        Assert.Equal("missing-key", error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Missing_top_level_keys_are_reported_once_each()
    {
        var errors = Errors(Load("services: {}\nexternals: {}\n"));
        Assert.Equal(["the document needs 'version'", "the document needs 'deployment'"], errors.Select(e => e.Message));
        Assert.All(errors, e => Assert.Equal("test.zlayer.yaml:1:1", e.Location.ToString()));
    }

    [Fact]
    public void Missing_key_error_points_at_the_map()
    {
        var yaml = OneService("scale:\n  mode: fixed");
        var error = SingleError(Load(yaml));
        AssertAt(error, yaml, "mode: fixed");
    }

    [Fact]
    public void An_unknown_variant_is_one_error()
    {
        var yaml = OneService("scale: { mode: auto, replicas: 2 }");
        var error = SingleError(Load(yaml));
        Assert.Equal("'services.web.scale.mode': unknown value 'auto', expected one of adaptive, fixed, manual", error.Message);
        AssertAt(error, yaml, "auto");
    }

    [Fact]
    public void Health_check_variants_bind_their_own_fields()
    {
        var result = Load(Services("""
            a: { image: { name: x }, health: { check: { type: tcp, port: 0 } } }
            b: { image: { name: x }, health: { check: { type: http, url: "http://localhost:8080/h", expect_status: 204 } } }
            c: { image: { name: x }, health: { check: { type: command, command: "pg_isready" } } }
            """));
        AssertClean(result);
        var s = result.Spec!.Services;
        Assert.Equal((HealthCheckType.Tcp, (ushort?)0), (s["a"].Health!.Check.Type, s["a"].Health!.Check.Port));
        Assert.Equal((HealthCheckType.Http, (ushort?)204), (s["b"].Health!.Check.Type, s["b"].Health!.Check.ExpectStatus));
        Assert.Equal("pg_isready", s["c"].Health!.Check.Command);
    }

    [Fact]
    public void Storage_variants_bind_their_own_fields()
    {
        var result = Load(OneService("""
            storage:
              - { type: bind, source: /srv, target: /a, readonly: true }
              - { type: named, name: data, target: /b, tier: network, size: 10Gi }
              - { type: anonymous, target: /c, tier: cached }
              - { type: tmpfs, target: /d, size: 64Mi, mode: 0700 }
              - { type: s3, bucket: b, target: /e, prefix: p/, endpoint: "http://minio:9000", credentials: { key: k } }
            """));
        AssertClean(result);
        var storage = result.Spec!.Services["web"].Storage;
        Assert.Equal([StorageType.Bind, StorageType.Named, StorageType.Anonymous, StorageType.Tmpfs, StorageType.S3], storage.Select(s => s.Type));
        Assert.True(storage[0].Readonly);
        Assert.Equal(StorageTier.Network, storage[1].Tier);
        Assert.Equal(448u, storage[3].Mode!.Value.Value);
        Assert.Equal("k", storage[4].Credentials!["key"]);
    }

    // ---- aliases ------------------------------------------------------------------------------

    [Fact]
    public void Cap_add_is_an_alias_of_capabilities()
    {
        var result = Load(OneService("cap_add: [NET_ADMIN, SYS_TIME]"));
        AssertClean(result);
        Assert.Equal(["NET_ADMIN", "SYS_TIME"], result.Spec!.Services["web"].Capabilities);
    }

    [Fact]
    public void Wasm_http_is_an_alias_of_wasm()
    {
        var result = Load(OneService("service_type: wasm_http\nwasm_http: { min_instances: 2 }"));
        AssertClean(result);
        Assert.Equal(2u, result.Spec!.Services["web"].Wasm!.MinInstances);
    }

    [Theory]
    [InlineData("capabilities: [A]\ncap_add: [B]", "cap_add", "'cap_add' repeats 'capabilities' (they are the same key)")]
    [InlineData("cap_add: [B]\ncapabilities: [A]", "capabilities", "'capabilities' repeats 'capabilities' (they are the same key)")]
    [InlineData("service_type: wasm_http\nwasm: {}\nwasm_http: {}", "wasm_http:", "'wasm_http' repeats 'wasm' (they are the same key)")]
    public void A_key_and_its_alias_together_are_an_error(string body, string marker, string message)
    {
        var yaml = OneService(body);
        var error = SingleError(Load(yaml));
        Assert.Equal("duplicate-key", error.Code);
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, marker, after: "image: { name: nginx:alpine }\n    " + body.Split('\n')[0]);
    }

    // ---- x- keys, anchors and merge keys --------------------------------------------------------

    [Fact]
    public void Extension_keys_are_allowed_at_top_level_and_in_services()
    {
        var result = Load("version: v1\ndeployment: demo\nx-owner: team-a\nx-defaults: { a: [1, 2] }\nservices:\n  web:\n    x-note: anything\n    image: { name: nginx }\n");
        AssertClean(result);
    }

    [Theory]
    [InlineData("endpoints: [{ name: h, protocol: http, port: 80, x-note: a }]", "services.web.endpoints[0]")]
    [InlineData("resources: { x-note: a }", "services.web.resources")]
    [InlineData("health: { x-note: a, check: { type: tcp, port: 80 } }", "services.web.health")]
    public void Extension_keys_elsewhere_are_unknown(string body, string parent)
    {
        var error = SingleError(Load(OneService(body)));
        Assert.Equal($"unknown key 'x-note' in '{parent}'", error.Message);
    }

    [Fact]
    public void Extension_keys_inside_externals_are_unknown()
    {
        var error = SingleError(Load(Services("web: { image: { name: nginx } }", "externals: { m: { backends: [\"a:1\"], x-note: 1 } }")));
        Assert.Equal("unknown key 'x-note' in 'externals.m'", error.Message);
    }

    [Fact]
    public void Anchors_and_merge_keys_share_service_settings()
    {
        var result = Load("""
            version: v1
            deployment: demo
            x-base: &base
              image: { name: ghcr.io/acme/app:1 }
              env: { LOG: info }
              scale: { mode: fixed, replicas: 2 }
            services:
              a:
                <<: *base
              b:
                <<: *base
                env: { LOG: debug }
              c:
                <<: *base
                scale: *fixed1
            """.Replace("*fixed1", "{ mode: fixed, replicas: 1 }", StringComparison.Ordinal));
        AssertClean(result);
        var s = result.Spec!.Services;
        Assert.Equal("ghcr.io/acme/app:1", s["b"].Image!.Name.Original);
        Assert.Equal("info", s["a"].Env["LOG"]);
        Assert.Equal("debug", s["b"].Env["LOG"]);
        Assert.Equal(2u, s["a"].Scale!.Replicas);
        Assert.Equal(1u, s["c"].Scale!.Replicas);
    }

    [Fact]
    public void Errors_inside_an_anchored_block_point_at_the_anchor_definition()
    {
        var yaml = """
            version: v1
            deployment: demo
            x-base: &base
              image: { name: nginx }
              replicass: 2
            services:
              a: *base
            """;
        var error = SingleError(Load(yaml));
        Assert.Equal("services.a.replicass", error.Path);
        AssertAt(error, yaml, "replicass");
    }

    [Fact]
    public void A_service_defined_twice_is_a_duplicate_key()
    {
        var yaml = Services("web: { image: { name: a } }\napi: { image: { name: b } }\nweb: { image: { name: c } }");
        var error = SingleError(Load(yaml));
        Assert.Equal("key 'web' appears twice in this map", error.Message);
        AssertAt(error, yaml, "web: { image: { name: c");
    }

    [Fact]
    public void Services_keep_their_written_order_and_names()
    {
        var result = Load(Services("zeta: { image: { name: a } }\nalpha: { image: { name: b } }\nmid: { image: { name: c } }"));
        AssertClean(result);
        Assert.Equal(["zeta", "alpha", "mid"], result.Spec!.Services.Keys);
        Assert.All(result.Spec.Services, kv => Assert.Equal(kv.Key, kv.Value.Name));
        Assert.Equal("services.alpha", result.Spec.Services["alpha"].SpecPath);
    }

    [Fact]
    public void Defaults_follow_upstream()
    {
        var result = Load(OneService("endpoints: [{ name: h, protocol: http, port: 80 }]\ndepends: []\nhealth: { check: { type: tcp, port: 0 } }"));
        AssertClean(result);
        var web = result.Spec!.Services["web"];
        Assert.Equal(ResourceType.Service, web.Rtype);
        Assert.Equal(ServiceType.Standard, web.ServiceType);
        Assert.Equal(PullPolicy.IfNotPresent, web.Image!.PullPolicy);
        Assert.Equal(ExposeMode.Internal, web.Endpoints[0].Expose);
        Assert.Equal((ushort)80, web.Endpoints[0].EffectiveTargetPort);
        Assert.Null(web.Scale);
        Assert.Equal(3u, web.Health!.Retries);
        Assert.Equal(NetworkMode.Default, web.NetworkMode);
        Assert.Equal(NodeMode.Shared, web.NodeMode);
    }
}
