using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class ProfileTests
{
    private const string Yaml =
        """
        services:
          web:
            image: nginx
          debug:
            image: busybox
            profiles: [debug, tools]
          metrics:
            image: prom/prometheus
            profiles: [monitoring]
        """;

    [Fact]
    public void Services_with_profiles_run_only_when_a_profile_is_active()
    {
        Assert.Equal(["web"], Load(Yaml).Model.Services.Keys);
        Assert.Equal(["web", "debug"], Load(Yaml, profiles: ["tools"]).Model.Services.Keys);
        Assert.Equal(["web", "metrics"], Load(Yaml, Env(("COMPOSE_PROFILES", "monitoring"))).Model.Services.Keys);
        Assert.Equal(["web", "debug", "metrics"], Load(Yaml, Env(("COMPOSE_PROFILES", "monitoring")), profiles: ["debug"]).Model.Services.Keys);
        Assert.Equal(["web", "debug", "metrics"], Load(Yaml, profiles: ["*"]).Model.Services.Keys);
    }

    [Fact]
    public void Depending_on_a_disabled_service_is_an_error()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                depends_on:
                  - metrics
              metrics:
                image: prom/prometheus
                profiles: [monitoring]
            """);
        var error = result.Single("which is disabled");
        Assert.Equal("compose-profile", error.Code);
        Assert.Contains("'metrics' has profiles [monitoring] and no profile is active", error.Message, StringComparison.Ordinal);
        At(error, 5, 9);
    }

    [Fact]
    public void An_optional_dependency_on_a_disabled_service_is_dropped_with_a_warning()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                depends_on:
                  metrics: {condition: service_started, required: false}
              metrics:
                image: prom/prometheus
                profiles: [monitoring]
            """);
        result.NoErrors();
        Assert.Empty(result.Service("web").Depends);
        Assert.False(result.Single("optional dependency 'metrics'").IsError);
    }
}
