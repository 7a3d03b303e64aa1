using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class InitRuleTests
{
    private static string Step(string step) => OneService($"init:\n  steps:\n    - {{ {step} }}");

    [Theory]
    [InlineData("id: a, uses: init.wait_tcp, with: { host: db, port: 5432 }")]
    [InlineData("id: a, uses: init.wait_tcp, with: { host: db, port: 5432, timeout: 60 }")]
    [InlineData("id: a, uses: init.wait_http, with: { url: \"http://db:8080/health\" }")]
    [InlineData("id: a, uses: init.wait_http, with: { url: \"https://db/\", expect_status: 204, timeout: 10 }")]
    [InlineData("id: a, uses: init.run, with: { command: \"./migrate.sh\" }")]
    [InlineData("id: a, uses: init.run, with: { command: \"echo hi\", timeout: 300 }, timeout: 10m, retry: 3, on_failure: continue")]
    [InlineData("id: a, uses: init.s3_pull, with: { bucket: b, key: k, destination: /d, region: eu }")]
    [InlineData("id: a, uses: init.s3_push, with: { source: /s, bucket: b, key: k, endpoint: \"http://minio:9000\" }")]
    public void Known_actions_with_their_parameters_are_valid(string step)
    {
        AssertClean(Load(Step(step)));
    }

    [Fact]
    public void Unknown_action_is_an_error_with_a_suggestion()
    {
        var yaml = Step("id: a, uses: init.wait_tpc, with: { host: db, port: 1 }");
        var error = SingleError(Load(yaml));
        Assert.Equal("init", error.Code);
        Assert.Equal("unknown init action 'init.wait_tpc'; known: init.wait_tcp, init.wait_http, init.run, init.s3_pull, init.s3_push; did you mean 'init.wait_tcp'?", error.Message);
        Assert.Equal("services.web.init.steps[0].uses", error.Path);
        AssertAt(error, yaml, "init.wait_tpc");
    }

    [Fact]
    public void Unknown_action_without_a_close_match_lists_the_known_ones()
    {
        var error = SingleError(Load(Step("id: a, uses: docker.pull")));
        Assert.Equal("unknown init action 'docker.pull'; known: init.wait_tcp, init.wait_http, init.run, init.s3_pull, init.s3_push", error.Message);
    }

    [Theory]
    [InlineData("uses: init.wait_tcp, with: { host: db }", "init.wait_tcp needs with.port", "with")]
    [InlineData("uses: init.wait_tcp", "init.wait_tcp needs with.host", "uses")]
    [InlineData("uses: init.wait_http, with: {}", "init.wait_http needs with.url", "with")]
    [InlineData("uses: init.run, with: { command: ~ }", "init.run needs with.command", "with")]
    public void Missing_parameters_are_errors(string step, string message, string key)
    {
        var yaml = Step("id: a, " + step);
        var errors = Errors(Load(yaml));
        Assert.Contains(errors, e => e.Message == message);
        var error = errors.First(e => e.Message == message);
        Assert.Equal($"services.web.init.steps[0].{key}", error.Path);
    }

    [Fact]
    public void Every_missing_parameter_is_reported()
    {
        var messages = Errors(Load(Step("id: a, uses: init.s3_pull"))).Select(e => e.Message);
        Assert.Equal(["init.s3_pull needs with.bucket", "init.s3_pull needs with.key", "init.s3_pull needs with.destination"], messages);
    }

    [Theory]
    [InlineData("uses: init.wait_tcp, with: { host: db, port: \"5432\" }", "init.wait_tcp: with.port must be a port number 1-65535, found \"5432\"")]
    [InlineData("uses: init.wait_tcp, with: { host: db, port: 70000 }", "init.wait_tcp: with.port must be a port number 1-65535, found 70000")]
    [InlineData("uses: init.wait_tcp, with: { host: db, port: 54.5 }", "init.wait_tcp: with.port must be a port number 1-65535, found 54.5")]
    [InlineData("uses: init.wait_tcp, with: { host: db, port: 1, timeout: 30s }", "init.wait_tcp: with.timeout must be a whole number of seconds, found \"30s\"")]
    [InlineData("uses: init.wait_tcp, with: { host: db, port: 1, timeout: 0 }", "init.wait_tcp: with.timeout must be a whole number of seconds, found 0")]
    [InlineData("uses: init.wait_tcp, with: { host: db, port: 1, timeout: 1.5 }", "init.wait_tcp: with.timeout must be a whole number of seconds, found 1.5")]
    [InlineData("uses: init.wait_tcp, with: { host: [a], port: 1 }", "init.wait_tcp: with.host must be a host name or address, found [\"a\"]")]
    [InlineData("uses: init.wait_http, with: { url: /health }", "init.wait_http: with.url must be an absolute http(s) URL, found \"/health\"")]
    [InlineData("uses: init.wait_http, with: { url: \"ftp://x/\" }", "init.wait_http: with.url must be an absolute http(s) URL, found \"ftp://x/\"")]
    [InlineData("uses: init.wait_http, with: { url: \"http://x/\", expect_status: 99 }", "init.wait_http: with.expect_status must be an HTTP status 100-599, found 99")]
    [InlineData("uses: init.run, with: { command: [echo, hi] }", "init.run: with.command must be one shell command string, found [\"echo\",\"hi\"]")]
    public void Parameters_of_the_wrong_type_are_errors(string step, string message)
    {
        var yaml = Step("id: a, " + step);
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        Assert.Equal("services.web.init.steps[0].with", error.Path);
        AssertAt(error, yaml, "with");
    }

    [Fact]
    public void Unknown_parameters_are_errors_with_a_suggestion()
    {
        var error = SingleError(Load(Step("id: a, uses: init.wait_tcp, with: { host: db, prot: 5432, port: 1 }")));
        Assert.Equal("init.wait_tcp takes no parameter 'prot'; did you mean 'port'?", error.Message);
    }

    [Fact]
    public void Step_ids_are_unique()
    {
        var yaml = OneService("init:\n  steps:\n    - { id: wait, uses: init.run, with: { command: a } }\n    - { id: wait, uses: init.run, with: { command: b } }");
        var error = SingleError(Load(yaml));
        Assert.Equal("init step id 'wait' is used twice", error.Message);
        Assert.Equal("services.web.init.steps[1].id", error.Path);
        AssertAt(error, yaml, "wait", after: "command: a");
    }

    [Fact]
    public void Step_timeout_is_a_duration_and_with_timeout_is_seconds()
    {
        var error = SingleError(Load(Step("id: a, uses: init.run, with: { command: x }, timeout: 90")));
        Assert.Equal("'services.web.init.steps[0].timeout': invalid duration '90': time unit needed, e.g. 90s or 90m", error.Message);
    }
}
