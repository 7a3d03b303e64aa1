using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary><c>-f a -f b</c>: the Compose merge rules.</summary>
public sealed class MergeTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private LoadResult Merge(string first, string second, IReadOnlyDictionary<string, string>? environment = null) =>
        LoadFiles([_project.Write("compose.yaml", first), _project.Write("compose.override.yaml", second)], environment);

    [Fact]
    public void Ports_are_appended_without_duplicates()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx
                ports: ["8080:80", "443:443"]
            """,
            """
            services:
              web:
                ports: ["443:443", "9090:9090"]
            """);
        result.Clean();
        Assert.Equal([(8080, 80), (443, 443), (9090, 9090)], result.Service("web").PortMappings.Select(p => ((int)p.HostPort!, (int)p.ContainerPort)));
    }

    [Fact]
    public void Environment_merges_by_name_across_list_and_map_forms()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx
                environment:
                  - FOO=original
                  - BAR=original
            """,
            """
            services:
              web:
                environment:
                  BAR: local
                  BAZ: local
            """);
        result.Clean();
        var env = result.Service("web").Env;
        Assert.Equal(["FOO", "BAR", "BAZ"], env.Keys);
        Assert.Equal(["original", "local", "local"], env.Values);
    }

    [Fact]
    public void Command_entrypoint_and_healthcheck_test_are_replaced_not_appended()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx
                command: ["echo", "foo"]
                entrypoint: ["/bin/sh", "-c"]
                healthcheck:
                  test: ["CMD", "true"]
                  interval: 5s
            """,
            """
            services:
              web:
                command: ["echo", "bar"]
                entrypoint: /docker-entrypoint.sh
                healthcheck:
                  test: ["CMD-SHELL", "curl -f localhost"]
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal(["echo", "bar"], web.Command!.Args);
        Assert.Equal(["/docker-entrypoint.sh"], web.Command.Entrypoint);
        Assert.Equal("curl -f localhost", web.Health!.Check.Command);
        Assert.Equal(TimeSpan.FromSeconds(5), web.Health.Interval!.Value.Value);
    }

    [Fact]
    public void Scalars_are_overridden_and_maps_merged()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx:1.25
                labels: {team: web, tier: front}
                deploy:
                  replicas: 2
                  resources: {limits: {cpus: "1", memory: 256M}}
            """,
            """
            services:
              web:
                image: nginx:1.27
                labels: {tier: edge}
                deploy:
                  resources: {limits: {memory: 1g}}
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal("nginx:1.27", web.Image!.Name.Original);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "web", ["tier"] = "edge" }, web.Labels);
        Assert.Equal(2u, web.Scale!.Replicas);
        Assert.Equal(1.0, web.Resources!.Cpu);
        Assert.Equal("1024Mi", web.Resources.Memory!.Value.Text);
    }

    [Fact]
    public void Volumes_merge_by_container_path()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx
                volumes: ["./original:/foo", "./original:/bar"]
            """,
            """
            services:
              web:
                volumes: ["./local:/bar", "./local:/baz"]
            """);
        result.Clean();
        var storage = result.Service("web").Storage;
        Assert.Equal(["/foo", "/bar", "/baz"], storage.Select(s => s.Target));
        // Paths in every -f file are relative to the project directory (the first file's).
        Assert.Equal([_project.PathOf("original"), _project.PathOf("local"), _project.PathOf("local")], storage.Select(s => s.Source));
    }

    [Fact]
    public void Expose_dns_and_capabilities_are_appended_uniquely()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx
                expose: ["3000"]
                dns: 1.1.1.1
                cap_add: [NET_ADMIN]
            """,
            """
            services:
              web:
                expose: ["3000", "4000"]
                dns: [8.8.8.8]
                cap_add: [NET_ADMIN, SYS_TIME]
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal(["3000", "4000"], web.Expose);
        Assert.Equal(["1.1.1.1", "8.8.8.8"], web.Dns);
        Assert.Equal(["NET_ADMIN", "SYS_TIME"], web.Capabilities);
    }

    [Fact]
    public void Depends_on_merges_list_and_map_forms()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx
                depends_on: [db]
              db: {image: postgres}
              cache: {image: redis}
            """,
            """
            services:
              web:
                depends_on:
                  cache:
                    condition: service_started
                  db:
                    condition: service_healthy
            """);
        result.Clean();
        var depends = result.Service("web").Depends;
        Assert.Equal(["db", "cache"], depends.Select(d => d.Service));
        Assert.Equal([DependsCondition.Healthy, DependsCondition.Started], depends.Select(d => d.Condition));
    }

    [Fact]
    public void Reset_and_override_tags()
    {
        var result = Merge(
            """
            services:
              web:
                image: nginx
                ports: ["8080:80"]
                environment: {A: "1", B: "2"}
                labels: {x: "1"}
            """,
            """
            services:
              web:
                ports: !reset []
                environment: !override
                  C: "3"
                labels: !reset null
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Empty(web.PortMappings);
        Assert.Equal(["C"], web.Env.Keys);
        Assert.Empty(web.Labels);
    }

    [Fact]
    public void Malformed_entries_survive_a_merge_to_be_reported_where_they_were_written()
    {
        var result = Merge(
            "services: {web: {image: nginx, environment: [A=1]}}",
            """
            services:
              web:
                environment:
                  - B=2
                  - {C: 3}
            """);
        Assert.Equal(["A", "B"], result.Service("web").Env.Keys);
        var error = result.Single("needs a text value");
        Assert.Equal(_project.PathOf("compose.override.yaml"), Path.GetFullPath(error.Location.File));
        Assert.Equal((5, 9), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void New_services_in_a_later_file_are_added_and_locations_point_into_that_file()
    {
        var result = Merge(
            "services: {web: {image: nginx}}",
            """
            services:
              worker:
                image: "not a valid image"
            """);
        Assert.Equal(["web", "worker"], result.Model.Services.Keys);
        var error = result.Single("invalid image reference");
        Assert.Equal(_project.PathOf("compose.override.yaml"), Path.GetFullPath(error.Location.File));
        Assert.Equal((3, 12), (error.Location.Line, error.Location.Column));
    }
}
