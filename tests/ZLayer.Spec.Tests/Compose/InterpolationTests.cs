using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>Interpolation applied to a whole compose file, with diagnostics at the scalar's place.</summary>
public sealed class InterpolationTests
{
    [Fact]
    public void Every_scalar_value_is_interpolated()
    {
        var result = Load(
            """
            services:
              web:
                image: "nginx:${TAG:-alpine}"
                command: ["echo", "${GREETING}", "$$HOME"]
                environment:
                  MODE: ${MODE-dev}
                ports: ["${PORT}:80"]
            """,
            Env(("GREETING", "hi"), ("PORT", "8080")));
        result.NoErrors();
        var web = result.Service("web");
        Assert.Equal("nginx:alpine", web.Image!.Name.Original);
        Assert.Equal(["echo", "hi", "$HOME"], web.Command!.Args);
        Assert.Equal("dev", web.Env["MODE"]);
        Assert.Equal((ushort?)8080, web.PortMappings.Single().HostPort);
    }

    [Fact]
    public void Keys_are_not_interpolated()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                environment:
                  ${NAME}: value
            """,
            Env(("NAME", "SHOULD_NOT_APPEAR")));
        Assert.Equal("value", result.Service("web").Env["${NAME}"]);
    }

    [Fact]
    public void A_required_variable_error_points_at_the_scalar()
    {
        var result = Load(
            """
            services:
              db:
                image: postgres
                environment:
                  POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in .env}
            """);
        var error = result.Single("required variable DB_PASSWORD");
        Assert.True(error.IsError);
        Assert.Equal("compose-interpolation", error.Code);
        Assert.Equal("required variable DB_PASSWORD is missing a value: set DB_PASSWORD in .env", error.Message);
        At(error, 5, 26);
        Assert.Equal("services.db.environment.POSTGRES_PASSWORD", error.Path);
    }

    [Fact]
    public void An_unset_variable_warns_at_the_scalar_like_docker_compose()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx:${TAG}
            """);
        var warning = result.Single("variable TAG is not set, using empty string");
        Assert.False(warning.IsError);
        At(warning, 3, 12);
        // The empty tag makes the image reference itself invalid, which is reported too.
        Assert.Contains(result.Errors, e => e.Path == "services.web.image");
    }

    [Fact]
    public void A_malformed_reference_is_an_error_at_its_place()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                command: echo $1
            """);
        var error = result.Single("invalid interpolation format");
        Assert.True(error.IsError);
        At(error, 4, 14);
    }

    [Fact]
    public void An_empty_interpolation_is_an_empty_string_not_null()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                environment:
                  OPTIONAL: ${OPTIONAL:-}
            """);
        result.Clean();
        Assert.Equal("", result.Service("web").Env["OPTIONAL"]);
    }

    [Fact]
    public void Interpolated_numbers_still_read_as_numbers_in_x_zlayer()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                x-zlayer:
                  endpoints:
                    - name: http
                      protocol: http
                      port: "${PROXY_PORT}"
                    - name: admin
                      protocol: http
                      port: ${ADMIN_PORT}
            """,
            Env(("PROXY_PORT", "80"), ("ADMIN_PORT", "9090")));
        // A quoted value stays a string, as the native format requires; a plain one is a number.
        Assert.Contains(result.Errors, e => e.Path == "services.web.x-zlayer.endpoints[0].port");
        Assert.Equal((ushort)9090, result.Service("web").Endpoints.Single(e => e.Name == "admin").Port);
    }

    [Fact]
    public void Project_name_is_available_as_COMPOSE_PROJECT_NAME()
    {
        var result = Load(
            """
            name: billing
            services:
              web:
                image: nginx
                environment:
                  PROJECT: ${COMPOSE_PROJECT_NAME}
            """);
        result.Clean();
        Assert.Equal("billing", result.Service("web").Env["PROJECT"]);
    }

    [Fact]
    public void Process_environment_wins_over_dot_env()
    {
        using var project = new TempProject();
        project.Write(".env", "TAG=from-dotenv\nONLY_DOTENV=yes\n");
        var result = Load(
            """
            services:
              web:
                image: nginx:${TAG}
                environment:
                  FROM_FILE: ${ONLY_DOTENV}
            """,
            Env(("TAG", "from-process")),
            baseDirectory: project.Directory);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal("nginx:from-process", web.Image!.Name.Original);
        Assert.Equal("yes", web.Env["FROM_FILE"]);
    }

    [Fact]
    public void Dot_env_supplies_COMPOSE_PROFILES_and_COMPOSE_PROJECT_NAME()
    {
        using var project = new TempProject();
        project.Write(".env", "COMPOSE_PROFILES=debug\nCOMPOSE_PROJECT_NAME=from-dotenv\n");
        var result = Load(
            """
            services:
              web: {image: nginx}
              debugger: {image: busybox, profiles: [debug]}
            """,
            baseDirectory: project.Directory);
        result.Clean();
        Assert.Equal("from-dotenv", result.Model.Deployment);
        Assert.Equal(["web", "debugger"], result.Model.Services.Keys);
    }

    [Fact]
    public void A_dot_env_problem_points_into_the_dot_env_file()
    {
        using var project = new TempProject();
        var dotEnv = project.Write(".env", "GOOD=1\nnot a valid line\n");
        var result = Load("services: {web: {image: nginx}}", baseDirectory: project.Directory);
        var error = result.Single("invalid variable name");
        Assert.EndsWith(".env", error.Location.File, StringComparison.Ordinal);
        Assert.Equal(dotEnv, Path.GetFullPath(error.Location.File));
        Assert.Equal((2, 1), (error.Location.Line, error.Location.Column));
    }
}
