using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class DependencyRuleTests
{
    /// <summary>Services named by the keys, each depending on the services listed.</summary>
    private static string Graph(params (string Name, string[] Depends)[] services) =>
        Services(string.Join("\n", services.Select(s =>
            $"{s.Name}:\n  image: {{ name: x }}\n  depends: [{string.Join(", ", s.Depends.Select(d => $"{{ service: {d} }}"))}]")));

    [Fact]
    public void Depends_must_name_a_service_of_the_deployment()
    {
        var yaml = Graph(("db", []), ("web", ["dbb"]));
        var error = SingleError(Load(yaml));
        Assert.Equal("unknown-dependency", error.Code);
        Assert.Equal("depends on 'dbb', which is not a service of this deployment; did you mean 'db'?", error.Message);
        Assert.Equal("services.web.depends[0].service", error.Path);
        AssertAt(error, yaml, "dbb");
    }

    [Fact]
    public void Depends_on_an_external_is_unknown()
    {
        var yaml = Services("web: { image: { name: x }, depends: [{ service: media }] }", "externals: { media: { backends: [\"a:1\"] } }");
        Assert.Equal("depends on 'media', which is not a service of this deployment", SingleError(Load(yaml)).Message);
    }

    [Fact]
    public void Self_dependency_is_an_error()
    {
        var yaml = Graph(("web", ["web"]));
        var error = SingleError(Load(yaml));
        Assert.Equal("dependency-cycle", error.Code);
        Assert.Equal("service 'web' depends on itself", error.Message);
        AssertAt(error, yaml, "web }");
    }

    [Fact]
    public void Two_service_cycle_is_printed_once()
    {
        var yaml = Graph(("a", ["b"]), ("b", ["a"]));
        var error = SingleError(Load(yaml));
        Assert.Equal("dependency-cycle", error.Code);
        Assert.Equal("dependency cycle: a -> b -> a", error.Message);
        Assert.Equal("services.a.depends[0].service", error.Path);
        AssertAt(error, yaml, "b }");
    }

    [Fact]
    public void Cycle_is_printed_from_the_first_declared_service()
    {
        var error = SingleError(Load(Graph(("web", ["api"]), ("db", ["web"]), ("api", ["db"]))));
        Assert.Equal("dependency cycle: web -> api -> db -> web", error.Message);

        error = SingleError(Load(Graph(("x", []), ("c", ["a"]), ("b", ["c"]), ("a", ["b"]))));
        Assert.Equal("dependency cycle: c -> a -> b -> c", error.Message);
    }

    [Fact]
    public void Separate_cycles_are_each_reported_once()
    {
        var result = Load(Graph(("a", ["b"]), ("b", ["a", "c"]), ("c", ["b"]), ("d", ["e"]), ("e", ["d"])));
        Assert.Equal(
            ["dependency cycle: a -> b -> a", "dependency cycle: b -> c -> b", "dependency cycle: d -> e -> d"],
            Errors(result).Select(e => e.Message).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_cycle_reached_from_several_services_is_reported_once()
    {
        var result = Load(Graph(("x", ["a"]), ("y", ["a", "b"]), ("a", ["b"]), ("b", ["a"])));
        var error = SingleError(result);
        Assert.Equal("dependency cycle: a -> b -> a", error.Message);
    }

    [Fact]
    public void Self_dependency_inside_a_cycle_is_reported_separately()
    {
        var messages = Errors(Load(Graph(("a", ["a", "b"]), ("b", ["a"])))).Select(e => e.Message).ToList();
        Assert.Equal(["service 'a' depends on itself", "dependency cycle: a -> b -> a"], messages);
    }

    [Fact]
    public void Acyclic_graphs_are_valid()
    {
        AssertClean(Load(Graph(("db", []), ("cache", []), ("api", ["db", "cache"]), ("web", ["api", "db"]), ("worker", ["api"]))));
    }

    [Fact]
    public void Long_chain_is_checked_without_recursion()
    {
        var services = Enumerable.Range(0, 2000).Select(i => ($"s{i}", i == 0 ? Array.Empty<string>() : [$"s{i - 1}"])).ToArray();
        AssertClean(Load(Graph(services)));

        services[0] = ("s0", ["s1999"]);
        var error = SingleError(Load(Graph(services)));
        Assert.StartsWith("dependency cycle: s0 -> s1999 -> s1998 -> ", error.Message);
        Assert.EndsWith(" -> s1 -> s0", error.Message);
    }

    [Fact]
    public void Duplicate_dependency_is_an_error()
    {
        var yaml = Services("db: { image: { name: x } }\nweb:\n  image: { name: x }\n  depends:\n    - { service: db }\n    - { service: db, condition: started }");
        var error = SingleError(Load(yaml));
        Assert.Equal("duplicate-dependency", error.Code);
        Assert.Equal("'db' is listed twice in depends", error.Message);
        Assert.Equal("services.web.depends[1].service", error.Path);
        AssertAt(error, yaml, "db, condition");
    }

    [Fact]
    public void Missing_dependency_service_is_one_error()
    {
        var error = SingleError(Load(OneService("depends: [{ condition: started }]")));
        Assert.Equal("'services.web.depends[0]' needs 'service'", error.Message);
    }

    [Fact]
    public void Depends_defaults_follow_upstream()
    {
        var result = Load(Graph(("db", []), ("web", ["db"])));
        var dep = result.Spec!.Services["web"].Depends[0];
        Assert.Equal(DependsCondition.Healthy, dep.Condition);
        Assert.Equal(TimeoutAction.Fail, dep.OnTimeout);
        Assert.Null(dep.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(300), DependsSpec.DefaultTimeout.Value);
    }
}
