using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class WasmRuleTests
{
    [Theory]
    [InlineData("standard")]
    [InlineData("job")]
    public void Wasm_block_needs_a_wasm_service_type(string type)
    {
        var yaml = OneService($"service_type: {type}\nwasm: {{ min_instances: 1 }}");
        var error = SingleError(Load(yaml));
        Assert.Equal("wasm", error.Code);
        Assert.Equal($"'wasm' is only allowed with a wasm_* service_type (this service is {type})", error.Message);
        AssertAt(error, yaml, "wasm:");
    }

    [Fact]
    public void Wasm_block_without_a_service_type_is_an_error()
    {
        Assert.Equal("'wasm' is only allowed with a wasm_* service_type (this service is standard)", SingleError(Load(OneService("wasm: {}"))).Message);
    }

    [Theory]
    [InlineData("wasm_http")]
    [InlineData("wasm_plugin")]
    [InlineData("wasm_transformer")]
    [InlineData("wasm_authenticator")]
    [InlineData("wasm_rate_limiter")]
    [InlineData("wasm_middleware")]
    [InlineData("wasm_router")]
    public void Every_wasm_type_takes_a_wasm_block(string type)
    {
        AssertClean(Load(OneService($"service_type: {type}\nwasm: {{ min_instances: 0, max_instances: 2, idle_timeout: 1m, request_timeout: 10s, max_fuel: 1000 }}")));
    }

    [Fact]
    public void Min_instances_must_not_exceed_max()
    {
        var yaml = OneService("service_type: wasm_http\nwasm: { min_instances: 5, max_instances: 2 }");
        var error = SingleError(Load(yaml));
        Assert.Equal("min_instances (5) must not exceed max_instances (2)", error.Message);
        AssertAt(error, yaml, "5,");
    }

    [Fact]
    public void Min_instances_above_the_default_max_is_an_error()
    {
        Assert.Equal("min_instances (11) must not exceed max_instances (10)", SingleError(Load(OneService("service_type: wasm_http\nwasm: { min_instances: 11 }"))).Message);
    }

    [Fact]
    public void A_capability_the_type_lacks_is_an_error_at_its_key()
    {
        var yaml = OneService("service_type: wasm_http\nwasm: { capabilities: { sockets: true } }");
        var error = SingleError(Load(yaml));
        Assert.Equal("capability 'sockets' is not available to wasm_http", error.Message);
        Assert.Equal("services.web.wasm.capabilities.sockets", error.Path);
        AssertAt(error, yaml, "true");
    }

    [Fact]
    public void Omitted_capabilities_default_to_true_and_can_trip_the_rule()
    {
        // wasm_transformer does not have config or keyvalue; an omitted flag in a capabilities
        // block defaults to true (upstream's serde default), so both are requested.
        var yaml = OneService("service_type: wasm_transformer\nwasm: { capabilities: { logging: true } }");
        var result = Load(yaml);
        var errors = Errors(result);
        Assert.Equal(
            ["capability 'config' is not available to wasm_transformer (omitted flags default to true; set config: false)",
             "capability 'keyvalue' is not available to wasm_transformer (omitted flags default to true; set keyvalue: false)"],
            errors.Select(e => e.Message));
        Assert.All(errors, e => Assert.Equal("services.web.wasm.capabilities", e.Path));
        AssertAt(errors[0], yaml, "capabilities");
    }

    [Fact]
    public void Setting_the_defaulted_capabilities_false_satisfies_the_rule()
    {
        AssertClean(Load(OneService("service_type: wasm_transformer\nwasm: { capabilities: { config: false, keyvalue: false, logging: true } }")));
        AssertClean(Load(OneService("service_type: wasm_middleware\nwasm: { capabilities: { keyvalue: false } }")));
    }

    [Fact]
    public void No_capabilities_block_means_the_type_defaults()
    {
        AssertClean(Load(OneService("service_type: wasm_transformer\nwasm: { max_memory: 64Mi }")));
    }

    [Fact]
    public void Wasm_http_with_endpoints_needs_an_http_endpoint()
    {
        var yaml = OneService("service_type: wasm_http\nendpoints: [{ name: t, protocol: tcp, port: 9000 }]");
        var error = SingleError(Load(yaml));
        Assert.Equal("a wasm_http service with endpoints needs at least one http or https endpoint", error.Message);
        AssertAt(error, yaml, "endpoints");
        AssertClean(Load(OneService("service_type: wasm_http\nendpoints: [{ name: h, protocol: https, port: 443 }, { name: t, protocol: tcp, port: 9000 }]")));
        AssertClean(Load(OneService("service_type: wasm_http")));
    }

    [Theory]
    [InlineData("source: \"\", target: /d", "source")]
    [InlineData("source: /s, target: \"\"", "target")]
    public void Preopens_need_a_source_and_a_target(string preopen, string key)
    {
        var error = SingleError(Load(OneService($"service_type: wasm_plugin\nwasm: {{ preopens: [{{ {preopen} }}] }}")));
        Assert.Equal("preopen source and target must not be empty", error.Message);
        Assert.Equal($"services.web.wasm.preopens[0].{key}", error.Path);
    }

    [Fact]
    public void Missing_preopen_target_is_one_error()
    {
        var error = SingleError(Load(OneService("service_type: wasm_plugin\nwasm: { preopens: [{ source: /s }] }")));
        Assert.Equal("'services.web.wasm.preopens[0]' needs 'target'", error.Message);
    }
}
