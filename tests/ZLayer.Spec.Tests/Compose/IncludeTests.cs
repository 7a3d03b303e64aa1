using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class IncludeTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Included_services_and_volumes_join_the_project()
    {
        _project.Write("db/compose.yaml",
            """
            services:
              db:
                image: postgres:${PG_TAG}
                volumes: [pgdata:/var/lib/postgresql/data, ./init:/docker-entrypoint-initdb.d]
            volumes:
              pgdata:
            """);
        _project.Write("db/.env", "PG_TAG=16\n");
        var result = Load(
            """
            include:
              - db/compose.yaml
            services:
              web:
                image: nginx
                depends_on: [db]
            """,
            baseDirectory: _project.Directory);
        result.Clean();
        Assert.Equal(["web", "db"], result.Model.Services.Keys);
        var db = result.Service("db");
        // The included project has its own .env and its own project directory.
        Assert.Equal("postgres:16", db.Image!.Name.Original);
        Assert.Equal(_project.PathOf("db/init"), db.Storage[1].Source);
        Assert.Equal("pgdata", db.Storage[0].Name);
    }

    [Fact]
    public void The_long_form_takes_project_directory_and_env_file()
    {
        _project.Write("parts/cache.yaml",
            """
            services:
              cache:
                image: redis:${REDIS_TAG}
                env_file: ./cache.env
            """);
        _project.Write("cachedir/cache.env", "MAXMEMORY=64mb\n");
        _project.Write("parts/versions.env", "REDIS_TAG=7.2\n");
        var result = Load(
            """
            include:
              - path: parts/cache.yaml
                project_directory: cachedir
                env_file: parts/versions.env
            """,
            baseDirectory: _project.Directory);
        result.Clean();
        var cache = result.Service("cache");
        Assert.Equal("redis:7.2", cache.Image!.Name.Original);
        Assert.Equal("64mb", cache.Env["MAXMEMORY"]);
    }

    [Fact]
    public void The_including_projects_variables_win_over_the_includes_env_file()
    {
        _project.Write("inc.yaml", "services: {svc: {image: \"busybox:${TAG}\"}}");
        _project.Write("inc.env", "TAG=from-include\n");
        var result = Load("include: [{path: inc.yaml, env_file: inc.env}]", Env(("TAG", "from-process")), baseDirectory: _project.Directory);
        result.Clean();
        Assert.Equal("busybox:from-process", result.Service("svc").Image!.Name.Original);
    }

    [Fact]
    public void A_conflicting_definition_is_an_error()
    {
        _project.Write("other.yaml", "services: {web: {image: httpd}}");
        var result = Load(
            """
            include: [other.yaml]
            services:
              web:
                image: nginx
            """,
            baseDirectory: _project.Directory);
        var error = result.Single("differently in the included file");
        Assert.Equal("compose-conflict", error.Code);
        Assert.Contains("compose.yaml:3:3", error.Message, StringComparison.Ordinal);
        Assert.Equal("nginx", result.Service("web").Image!.Name.Original);
    }

    [Fact]
    public void An_identical_definition_on_both_sides_is_fine()
    {
        _project.Write("other.yaml", "volumes: {shared: {}}\nservices: {a: {image: nginx, volumes: ['shared:/s']}}");
        var result = Load(
            """
            include: [other.yaml]
            volumes: {shared: {}}
            services: {b: {image: nginx, volumes: ["shared:/s"]}}
            """,
            baseDirectory: _project.Directory);
        result.Clean();
    }

    [Fact]
    public void An_include_cycle_is_an_error_naming_the_files()
    {
        _project.Write("a.yaml", "include: [b.yaml]\nservices: {a: {image: nginx}}");
        _project.Write("b.yaml", "services: {b: {image: nginx}}\ninclude:\n  - a.yaml\n");
        var compose = _project.Write("compose.yaml", "include: [a.yaml]\nservices: {main: {image: nginx}}");
        var result = LoadFiles([compose]);
        var error = result.Single("include cycle");
        Assert.Equal("compose-cycle", error.Code);
        Assert.Matches(@"include cycle: .*a\.yaml -> .*b\.yaml -> .*a\.yaml", error.Message);
        Assert.Equal(_project.PathOf("b.yaml"), Path.GetFullPath(error.Location.File));
        Assert.Equal((3, 5), (error.Location.Line, error.Location.Column));
        // Everything outside the cycle still loads.
        Assert.Equal(["main", "a", "b"], result.Model.Services.Keys);
    }

    [Fact]
    public void A_project_including_itself_is_a_cycle()
    {
        var compose = _project.Write("compose.yaml", "include: [compose.yaml]\nservices: {web: {image: nginx}}");
        var result = LoadFiles([compose]);
        var error = result.Single("include cycle");
        Assert.Equal(compose, Path.GetFullPath(error.Location.File));
        Assert.Equal((1, 11), (error.Location.Line, error.Location.Column));
        Assert.Single(result.Model.Services);
    }

    [Fact]
    public void A_missing_include_is_an_error_at_the_entry()
    {
        var result = Load("include:\n  - nothing-here.yaml\n", baseDirectory: _project.Directory);
        var error = result.Single("does not exist");
        At(error, 2, 5);
    }
}
