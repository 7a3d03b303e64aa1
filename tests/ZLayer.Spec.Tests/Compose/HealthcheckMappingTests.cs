using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class HealthcheckMappingTests
{
    private static HealthSpec? Health(string healthcheck) =>
        Load($"services:\n  web:\n    image: nginx\n    healthcheck:\n{healthcheck}").Service("web").Health;

    [Fact]
    public void Cmd_form_is_joined_into_a_quoted_shell_line()
    {
        var health = Health("      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/a b\"]\n")!;
        Assert.Equal(HealthCheckType.Command, health.Check.Type);
        Assert.Equal("curl -f 'http://localhost/a b'", health.Check.Command);
    }

    [Fact]
    public void Cmd_shell_and_string_forms_are_used_as_written()
    {
        Assert.Equal("pg_isready -U $$USER || exit 1", Health("      test: [\"CMD-SHELL\", \"pg_isready -U $$$$USER || exit 1\"]\n")!.Check.Command);
        Assert.Equal("redis-cli ping | grep PONG", Health("      test: redis-cli ping | grep PONG\n")!.Check.Command);
    }

    [Fact]
    public void Timings_map_and_docker_defaults_fill_the_rest()
    {
        var health = Health("      test: [\"CMD\", \"true\"]\n      interval: 10s\n      retries: 5\n      start_period: 1m\n")!;
        Assert.Equal(TimeSpan.FromSeconds(10), health.Interval!.Value.Value);
        Assert.Equal(TimeSpan.FromSeconds(30), health.Timeout!.Value.Value);
        Assert.Equal(5u, health.Retries);
        Assert.Equal(TimeSpan.FromMinutes(1), health.StartGrace!.Value.Value);
        Assert.True(health.Has("interval"));
        Assert.False(health.Has("timeout"));
    }

    [Theory]
    [InlineData("      disable: true\n")]
    [InlineData("      test: [\"NONE\"]\n")]
    [InlineData("      test: [\"CMD\", \"true\"]\n      disable: true\n")]
    public void Disabled_checks_leave_no_health(string healthcheck) => Assert.Null(Health(healthcheck));

    [Fact]
    public void A_test_without_a_form_marker_is_an_error()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\"curl\", \"-f\", \"localhost\"]\n");
        var error = result.Single("must start with \"CMD\"");
        At(error, 5, 13);
        Assert.Null(result.Service("web").Health);
    }

    [Fact]
    public void An_empty_test_is_an_error()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    healthcheck:\n      test: \"\"\n");
        At(result.Single("'services.web.healthcheck.test' needs a string or a list"), 5, 13);
        Assert.Null(result.Service("web").Health);
    }

    [Fact]
    public void Timings_without_a_test_are_warned_about()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    healthcheck:\n      interval: 5s\n");
        Assert.Null(result.Service("web").Health);
        Assert.Equal("compat", result.Single("has no 'test'").Code);
    }

    [Fact]
    public void Bad_durations_are_errors_at_the_value()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    healthcheck:\n      test: \"true\"\n      interval: 10 seconds\n");
        At(result.Single("invalid duration '10 seconds'"), 6, 17);
    }
}
