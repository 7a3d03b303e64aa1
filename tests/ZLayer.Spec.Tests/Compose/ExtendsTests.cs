using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class ExtendsTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_service_extends_another_in_the_same_file()
    {
        var result = Load(
            """
            services:
              base:
                image: acme/app:1
                environment: {LOG: info, REGION: eu}
                ports: ["8080:80"]
              api:
                extends: base
                environment: {LOG: debug}
                command: serve
              worker:
                extends:
                  service: api
                command: work
            """);
        result.Clean();
        var api = result.Service("api");
        Assert.Equal("acme/app:1", api.Image!.Name.Original);
        Assert.Equal("debug", api.Env["LOG"]);
        Assert.Equal("eu", api.Env["REGION"]);
        Assert.Equal(["serve"], api.Command!.Args);
        Assert.Equal((ushort)80, api.PortMappings.Single().ContainerPort);
        var worker = result.Service("worker");
        Assert.Equal(["work"], worker.Command!.Args);
        Assert.Equal("debug", worker.Env["LOG"]);
        // The extending service keeps its own place in the file (its map, as the native binder records it).
        Assert.Equal((11, 5), (worker.Location.Line, worker.Location.Column));
    }

    [Fact]
    public void A_service_extends_one_from_another_file_whose_paths_are_its_own()
    {
        _project.Write("common/services.yaml",
            """
            services:
              webapp:
                image: acme/web:2
                env_file: ./web.env
                volumes: ["./static:/srv/static:ro"]
            """);
        _project.Write("common/web.env", "FROM_COMMON=yes\n");
        var result = Load(
            """
            services:
              web:
                extends:
                  file: common/services.yaml
                  service: webapp
                environment: {LOCAL: "1"}
            """,
            baseDirectory: _project.Directory);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal("acme/web:2", web.Image!.Name.Original);
        Assert.Equal("yes", web.Env["FROM_COMMON"]);
        Assert.Equal("1", web.Env["LOCAL"]);
        Assert.Equal(_project.PathOf("common/static"), web.Storage.Single().Source);
    }

    [Fact]
    public void An_extends_cycle_is_an_error_that_names_it()
    {
        var result = Load(
            """
            services:
              a:
                extends: b
                image: nginx
              b:
                extends: a
            """);
        var error = result.Single("extends cycle");
        Assert.Equal("compose-cycle", error.Code);
        Assert.Matches(@"extends cycle: .*compose\.yaml:a -> .*compose\.yaml:b -> .*compose\.yaml:a", error.Message);
        At(error, 6, 14);
    }

    [Fact]
    public void Extending_a_missing_service_or_file_is_an_error_at_extends()
    {
        var result = Load(
            """
            services:
              a:
                image: nginx
                extends: nope
              b:
                image: nginx
                extends: {file: missing.yaml, service: x}
            """,
            baseDirectory: _project.Directory);
        At(result.Single("extends 'nope', which is not a service"), 4, 14);
        var missing = result.Single("does not exist");
        Assert.Contains("missing.yaml", missing.Message, StringComparison.Ordinal);
        At(missing, 7, 14);
    }
}
