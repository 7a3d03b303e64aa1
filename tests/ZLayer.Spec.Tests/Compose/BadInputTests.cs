using ZLayer.Spec.Compose;
using ZLayer.Spec.Diagnostics;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>Bad input gives diagnostics with a place, never an exception or a silently wrong model.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void A_bad_image_is_an_error_at_the_image()
    {
        var result = Load("services:\n  web:\n    image: Acme/Web:latest\n");
        var error = result.Single("invalid image reference 'Acme/Web:latest'");
        Assert.Equal("services.web.image", error.Path);
        At(error, 3, 12);
        Assert.Null(result.Service("web").Image);
    }

    [Fact]
    public void A_build_only_service_is_an_error_naming_the_place()
    {
        var result = Load("services:\n  web:\n    build: ./web\n");
        var error = result.Single("build is not supported; give an image");
        Assert.Equal("compose-build", error.Code);
        Assert.Equal("service 'web': build is not supported; give an image", error.Message);
        At(error, 3, 5);
    }

    [Fact]
    public void A_service_without_image_is_an_error()
    {
        var result = Load("services:\n  web:\n    command: echo\n");
        At(result.Single("service 'web' needs an image"), 3, 5);
    }

    [Fact]
    public void Wrongly_shaped_values_are_errors_at_the_value()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                ports: "80:80"
                environment: 42
                privileged: maybe
                deploy: {replicas: many}
                command: {run: x}
            """);
        At(result.Single("'services.web.ports' needs a list"), 4, 12);
        At(result.Single("'services.web.environment' needs a map"), 5, 18);
        At(result.Single("'services.web.privileged' needs true or false"), 6, 17);
        At(result.Single("'services.web.deploy.replicas' needs a whole number"), 7, 24);
        At(result.Single("'services.web.command' needs a string or a list"), 8, 14);
    }

    [Fact]
    public void Yaml_syntax_errors_are_reported_and_give_no_model()
    {
        var result = Load("services:\n  web:\n    image: [nginx\n");
        Assert.Null(result.Spec);
        Assert.Equal("yaml-syntax", Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void A_root_that_is_not_a_map_is_an_error()
    {
        var result = Load("- just\n- a list\n");
        Assert.Null(result.Spec);
        At(result.Single("a compose file is a map of top-level keys"), 1, 1);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var result = Load("");
        Assert.Null(result.Spec);
        result.Single("the compose file is empty");
    }

    [Fact]
    public void A_missing_file_gives_no_model()
    {
        var result = LoadFiles(["/nonexistent/zlayer/compose.yaml"]);
        Assert.Null(result.Spec);
        Assert.Equal("compose-file", result.Single("does not exist").Code);
    }

    [Fact]
    public void A_readable_file_next_to_a_missing_override_still_loads()
    {
        using var project = new TempProject();
        var compose = project.Write("compose.yaml", "services: {web: {image: nginx}}");
        var result = LoadFiles([compose, project.PathOf("compose.override.yaml")]);
        Assert.Single(result.Errors);
        Assert.Equal(["web"], result.Model.Services.Keys);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Deep_extends_chains_stop_at_the_limit_in_either_declaration_order(bool baseFirst)
    {
        var services = Enumerable.Range(1, 40).Select(i => $"  s{i}: {{extends: s{i - 1}}}").Prepend("  s0: {image: nginx}");
        var lines = (baseFirst ? services : services.Reverse()).Prepend("services:");
        var result = Load(string.Join('\n', lines));
        Assert.Contains(result.Errors, e => e.Code == "compose-limit" && e.Message.Contains("extends chain deeper than 16", StringComparison.Ordinal));
        Assert.Equal(41, result.Model.Services.Count);
    }

    [Fact]
    public void Deep_include_chains_stop_at_the_limit()
    {
        using var project = new TempProject();
        for (var i = 0; i < 30; i++)
        {
            project.Write($"f{i}.yaml", $"include: [f{i + 1}.yaml]\nservices: {{s{i}: {{image: nginx}}}}");
        }

        project.Write("f30.yaml", "services: {last: {image: nginx}}");
        var result = LoadFiles([project.PathOf("f0.yaml")]);
        Assert.Contains(result.Errors, e => e.Code == "compose-limit" && e.Message.Contains("includes nest deeper than", StringComparison.Ordinal));
        Assert.Contains("s0", result.Model.Services.Keys);
    }

    [Theory]
    [InlineData("services: 42")]
    [InlineData("services: {web: [1, 2]}")]
    [InlineData("services: {web: {image: nginx, healthcheck: [1], deploy: [x], depends_on: 3, volumes: {a: b}}}")]
    [InlineData("services: {web: {image: nginx, ulimits: 5, devices: x, tmpfs: {a: 1}, secrets: x, extra_hosts: 5}}")]
    [InlineData("include: 5\nvolumes: [x]\nnetworks: 3\nsecrets: {s: 1}\nconfigs: {c: {}}")]
    [InlineData("services: {web: {extends: [x], x-zlayer: [1], x-fizz: 2, env_file: {a: b}}}")]
    [InlineData("services: {web: {image: nginx, ports: [{published: 80}, [1], {target: x}], expose: {a: b}}}")]
    [InlineData("services: {web: {image: nginx, environment: ['=x', '', 'A=${'], labels: [{a: b}]}}")]
    public void Garbage_in_every_place_gives_diagnostics_not_exceptions(string yaml)
    {
        var diagnostics = new DiagnosticBag();
        var exception = Record.Exception(() => ComposeLoader.LoadText(yaml, FileName, VirtualProject, Options(), diagnostics));
        Assert.Null(exception);
        Assert.True(diagnostics.HasErrors);
        Assert.All(diagnostics.Items, d => Assert.True(d.Location.IsKnown, $"{d} has no position"));
    }
}
