using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class HealthRuleTests
{
    [Theory]
    [InlineData("ftp://localhost/health")]
    [InlineData("localhost:8080/health")]
    [InlineData("health")]
    public void Http_check_url_must_be_absolute_http(string url)
    {
        var yaml = OneService($"health: {{ check: {{ type: http, url: \"{url}\" }} }}");
        var error = SingleError(Load(yaml));
        Assert.Equal($"url '{url}' must be an absolute http(s) URL or a path such as /health", error.Message);
        AssertAt(error, yaml, $"\"{url}\"");
    }

    [Theory]
    [InlineData(99)]
    [InlineData(600)]
    public void Expect_status_must_be_an_http_status(int status)
    {
        var yaml = OneService($"health: {{ check: {{ type: http, url: \"http://localhost/\", expect_status: {status} }} }}");
        var error = SingleError(Load(yaml));
        Assert.Equal($"expect_status {status} is not an HTTP status (100-599)", error.Message);
        AssertAt(error, yaml, $"{status} }}");
    }

    [Fact]
    public void Command_check_must_not_be_empty()
    {
        var error = SingleError(Load(OneService("health: { check: { type: command, command: \"  \" } }")));
        Assert.Equal("health command must not be empty", error.Message);
    }

    [Theory]
    [InlineData("interval: 0s", "interval must be greater than 0")]
    [InlineData("timeout: 0ms", "timeout must be greater than 0")]
    public void Intervals_must_be_positive(string key, string message)
    {
        var error = SingleError(Load(OneService($"health: {{ {key}, check: {{ type: tcp, port: 80 }} }}")));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Full_health_blocks_are_valid()
    {
        AssertClean(Load(OneService("health: { start_grace: 20s, interval: 10s, timeout: 5s, retries: 5, on_unhealthy: none, check: { type: http, url: \"https://127.0.0.1:8443/ready\", expect_status: 204 } }")));
    }

    [Fact]
    public void Unknown_on_unhealthy_action_is_an_error()
    {
        var error = SingleError(Load(OneService("health: { on_unhealthy: kill, check: { type: tcp, port: 80 } }")));
        Assert.Equal("'services.web.health.on_unhealthy': unknown value 'kill', expected one of restart, isolate, none", error.Message);
    }
}
