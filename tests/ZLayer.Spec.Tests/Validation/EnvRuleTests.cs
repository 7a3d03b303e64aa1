using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class EnvRuleTests
{
    [Theory]
    [InlineData("A")]
    [InlineData("_X")]
    [InlineData("my_var2")]
    [InlineData("PATH")]
    public void Valid_env_names(string name)
    {
        AssertClean(Load(OneService($"env: {{ {name}: v }}")));
    }

    [Theory]
    [InlineData("1ABC")]
    [InlineData("MY-VAR")]
    [InlineData("\"A B\"")]
    [InlineData("\"\"")]
    [InlineData("\"A\\n\"")]
    public void Env_names_must_be_identifiers(string name)
    {
        var yaml = OneService($"env: {{ {name}: v }}");
        var error = SingleError(Load(yaml));
        var written = name.Trim('"').Replace("\\n", "\n", StringComparison.Ordinal);
        Assert.Equal($"env name '{written}' must be letters, digits and '_', not starting with a digit", error.Message);
        Assert.Equal("services.web.env", error.Path);
        AssertAt(error, yaml, "env");
    }

    [Theory]
    [InlineData("$E:HOME")]
    [InlineData("prefix-$E:HOME-suffix")]
    [InlineData("postgres://u:$E:PW@db/x")]
    [InlineData("$$E:literal")]
    [InlineData("costs $$5")]
    [InlineData("trailing $")]
    [InlineData("$E")]
    [InlineData("${not.a.ref.at.all}")]
    [InlineData("${HOME}")]
    public void Valid_env_templates(string value)
    {
        AssertClean(Load(OneService($"env: {{ V: \"{value}\" }}")));
    }

    [Theory]
    [InlineData("$E:", "env V: '$E:' at position 1 must be followed by a variable name ([A-Za-z_][A-Za-z0-9_]*)")]
    [InlineData("x$E:1ABC", "env V: '$E:' at position 2 must be followed by a variable name ([A-Za-z_][A-Za-z0-9_]*)")]
    [InlineData("$E:-x", "env V: '$E:' at position 1 must be followed by a variable name")]
    public void Env_references_need_a_variable_name(string value, string message)
    {
        var yaml = OneService($"env: {{ V: \"{value}\" }}");
        var error = SingleError(Load(yaml));
        Assert.Equal("env", error.Code);
        Assert.StartsWith(message, error.Message);
        AssertAt(error, yaml, "env");
    }

    [Theory]
    [InlineData("$S:")]
    [InlineData("$S:a/b/c")]
    [InlineData("$S:@svc")]
    [InlineData("$S:has space")]
    [InlineData("$S::env")]
    [InlineData("$S:p!:env/name")]
    [InlineData("$secret://env")]
    [InlineData("$secret://env/a/b/c")]
    public void Secret_references_are_checked(string value)
    {
        var error = SingleError(Load(OneService($"env: {{ V: \"{value}\" }}")));
        Assert.StartsWith($"env V: invalid secret reference '{value}': expected ", error.Message);
    }

    [Theory]
    [InlineData("$S:pg-password")]
    [InlineData("$S:db/password")]
    [InlineData("$S:@api/token")]
    [InlineData("$S:@api/token/value")]
    [InlineData("$S::prod/key")]
    [InlineData("$S:acme:prod/key/field")]
    [InlineData("$secret://prod/KEY")]
    [InlineData("$secret://prod/KEY/field")]
    public void Valid_secret_references(string value)
    {
        AssertClean(Load(OneService($"env: {{ V: \"{value}\" }}")));
    }

    [Fact]
    public void Service_references_must_name_a_service()
    {
        var yaml = Services("api: { image: { name: x }, endpoints: [{ name: http, protocol: http, port: 8080 }] }\nweb: { image: { name: x }, env: { URL: \"http://${apii.host}:${api.port}\" } }");
        var error = SingleError(Load(yaml));
        Assert.Equal("env URL: ${apii.host} names no service of this deployment; did you mean 'api'?", error.Message);
    }

    [Fact]
    public void Endpoint_references_must_name_an_endpoint()
    {
        var yaml = Services("api: { image: { name: x }, endpoints: [{ name: http, protocol: http, port: 8080 }] }\nweb: { image: { name: x }, env: { M: \"${api.endpoint.metrics}\" } }");
        Assert.Equal("env M: service 'api' has no endpoint 'metrics'", SingleError(Load(yaml)).Message);
    }

    [Fact]
    public void Port_references_need_an_endpoint()
    {
        var yaml = Services("worker: { image: { name: x } }\nweb: { image: { name: x }, env: { P: \"${worker.port}\" } }");
        Assert.Equal("env P: ${worker.port} needs service 'worker' to have an endpoint", SingleError(Load(yaml)).Message);
    }

    [Fact]
    public void Host_references_need_only_the_service()
    {
        AssertClean(Load(Services("worker: { image: { name: x } }\nweb: { image: { name: x }, env: { H: \"${worker.host}\", SELF: \"${web.host}\" } }")));
    }

    [Fact]
    public void Replica_group_env_is_checked_like_service_env()
    {
        var error = SingleError(Load(OneService("replica_groups: [{ role: a, count: 1, env: { \"1BAD\": x } }]")));
        Assert.Equal("env name '1BAD' must be letters, digits and '_', not starting with a digit", error.Message);
    }

    [Fact]
    public void Every_bad_env_entry_is_reported()
    {
        var errors = Errors(Load(OneService("env: { 1A: x, B: \"$E:\", C: \"$S:\" }")));
        Assert.Equal(3, errors.Count);
    }
}
