using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class DependsMappingTests
{
    [Fact]
    public void List_form_means_started()
    {
        var result = Load("services: {web: {image: nginx, depends_on: [db]}, db: {image: postgres}}");
        result.Clean();
        var depends = result.Service("web").Depends.Single();
        Assert.Equal(("db", DependsCondition.Started, TimeoutAction.Fail), (depends.Service, depends.Condition, depends.OnTimeout));
    }

    [Fact]
    public void Map_form_conditions_and_required()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                depends_on:
                  db:
                    condition: service_healthy
                  migrate:
                    condition: service_completed_successfully
                  cache:
                    condition: service_started
                    required: false
                    restart: true
              db: {image: postgres}
              migrate: {image: flyway/flyway}
              cache: {image: redis}
            """);
        var depends = result.Service("web").Depends;
        Assert.Equal(
            [("db", DependsCondition.Healthy, TimeoutAction.Fail), ("migrate", DependsCondition.Completed, TimeoutAction.Fail), ("cache", DependsCondition.Started, TimeoutAction.Continue)],
            depends.Select(d => (d.Service, d.Condition, d.OnTimeout)));
        Assert.Equal((5, 7), (depends[0].Location.Line, depends[0].Location.Column));
        Assert.Equal((6, 9), (depends[0].LocationOf("condition").Line, depends[0].LocationOf("condition").Column));
        Assert.Equal("services.web.depends_on.db", depends[0].SpecPath);
        At(result.Single("'depends_on.restart' is not supported"), 12, 9);
    }

    [Fact]
    public void Unknown_services_and_conditions_are_errors()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                depends_on:
                  ghost:
                    condition: service_started
                  db:
                    condition: service_healty
              db: {image: postgres}
            """);
        At(result.Single("depends on 'ghost', which is not a service"), 5, 7);
        var condition = result.Single("unknown condition 'service_healty'");
        Assert.Contains("did you mean 'service_healthy'?", condition.Message, StringComparison.Ordinal);
        At(condition, 8, 20);
    }
}
