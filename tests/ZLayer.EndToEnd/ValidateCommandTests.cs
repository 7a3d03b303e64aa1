using System.Text.Json.Nodes;

namespace ZLayer.EndToEnd;

/// <summary><c>zlayer validate</c> and <c>zlayer spec</c> as a user runs them.</summary>
public sealed class ValidateCommandTests
{
    private const string Valid = """
        version: v1
        deployment: demo
        services:
          web:
            image: { name: nginx:alpine }
            endpoints:
              - { name: http, protocol: http, port: 80 }
        """;

    [Fact]
    public async Task Discovers_the_spec_file_in_the_current_directory()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", Valid);
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("zlayer.yaml: valid spec, deployment 'demo' with 1 service (0 errors, 0 warnings)", result.Stdout.Trim());
    }

    [Fact]
    public async Task Text_output_can_be_asked_for_by_name()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", Valid);
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate", "-o", "text");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("zlayer.yaml: valid spec", result.Stdout.Trim());
    }

    [Fact]
    public async Task Without_a_spec_file_it_is_a_usage_error_naming_what_it_looked_for()
    {
        using var dir = new TempDirectory();
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("zlayer.yaml", result.Stderr);
        Assert.Contains("compose.yaml", result.Stderr);
    }

    [Fact]
    public async Task Two_pattern_files_are_ambiguous()
    {
        using var dir = new TempDirectory();
        dir.Write("a.zlayer.yaml", Valid);
        dir.Write("b.zlayer.yml", Valid);
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("a.zlayer.yaml, b.zlayer.yml", result.Stderr);
    }

    [Fact]
    public async Task Reports_every_problem_at_once_in_file_order_and_exits_1()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("bad.yaml", """
            version: v1
            deployment: demo
            services:
              Web:
                image: { name: nginx }
                endpoints:
                  - { name: http, protocol: htp, port: 80 }
                depends: [{ service: db }]
              db:
                image: { name: postgres }
                depends: [{ service: Web }]
                scale: { mode: fixed, min: 1 }
            """);
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate", file);
        Assert.Equal(1, result.ExitCode);
        var lines = result.Stdout.Trim().Split('\n');
        Assert.Equal(
            [
                $"{file}:4:3: error: service name 'Web' must be a DNS label: lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit",
                $"{file}:7:33: error: 'services.Web.endpoints[0].protocol': unknown value 'htp', expected one of http, https, tcp, udp, websocket; did you mean 'http'?",
                $"{file}:8:26: error: dependency cycle: Web -> db -> Web",
                $"{file}:12:12: error: 'services.db.scale' (mode: fixed) needs 'replicas'",
                $"{file}:12:27: error: key 'min' is not allowed with mode: fixed (allowed: replicas)",
                $"{file}: invalid (5 errors, 0 warnings)",
            ],
            lines);
    }

    [Fact]
    public async Task Yaml_syntax_errors_have_a_location_and_no_stack_trace()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", "version: v1\ndeployment: demo\nservices:\n  web: [unclosed\n");
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate");
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"^zlayer\.yaml:\d+:\d+: error: YAML syntax: ", result.Stdout);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Strict_turns_compatibility_warnings_into_errors()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", Valid.Replace("image: { name: nginx:alpine }", "image: { name: nginx:alpine }\n    command: [nginx, -g, daemon off;]", StringComparison.Ordinal));
        var lenient = await ZLayerProcess.RunAsync(dir.Path, "validate");
        Assert.Equal(0, lenient.ExitCode);
        Assert.Contains("warning: 'services.web.command' is a list", lenient.Stdout);

        var strict = await ZLayerProcess.RunAsync(dir.Path, "validate", "--strict");
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("error: 'services.web.command' is a list", strict.Stdout);
        Assert.Contains("(--strict)", strict.Stdout);
    }

    [Fact]
    public async Task Json_output_lists_diagnostics_with_places()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", Valid.Replace("port: 80", "port: 80, hots: a.example.com", StringComparison.Ordinal));
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate", "-o", "json");
        Assert.Equal(1, result.ExitCode);
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.False(json["valid"]!.GetValue<bool>());
        var diagnostic = json["diagnostics"]![0]!;
        Assert.Equal("unknown-key", diagnostic["code"]!.GetValue<string>());
        Assert.Equal(7, diagnostic["line"]!.GetValue<int>());
        Assert.Equal("services.web.endpoints[0].hots", diagnostic["path"]!.GetValue<string>());
        Assert.Contains("did you mean 'host'?", diagnostic["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Spec_dump_prints_the_normalised_model_that_loads_again()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", Valid + "\n    host_network: true\n");
        var yaml = await ZLayerProcess.RunAsync(dir.Path, "spec", "dump");
        Assert.Equal(0, yaml.ExitCode);
        Assert.Contains("network_mode: host", yaml.Stdout);
        Assert.DoesNotContain("host_network", yaml.Stdout);

        dir.Write("again.zlayer.yaml", yaml.Stdout);
        var json1 = await ZLayerProcess.RunAsync(dir.Path, "spec", "dump", "zlayer.yaml", "-o", "json");
        var json2 = await ZLayerProcess.RunAsync(dir.Path, "spec", "dump", "again.zlayer.yaml", "-o", "json");
        Assert.Equal(0, json2.ExitCode);
        Assert.Equal(json1.Stdout, json2.Stdout);
        Assert.Equal("nginx:alpine", JsonNode.Parse(json1.Stdout)!["services"]!["web"]!["image"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Spec_dump_of_an_invalid_spec_prints_diagnostics_on_stderr_and_nothing_on_stdout()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", "version: v1\ndeployment: x\n");
        var result = await ZLayerProcess.RunAsync(dir.Path, "spec", "dump");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("zlayer.yaml:2:13: error: deployment name 'x'", result.Stderr);
    }

    [Fact]
    public async Task Spec_schema_describes_the_format()
    {
        var result = await ZLayerProcess.RunAsync(ZLayerProcess.RepositoryRoot, "spec", "schema");
        Assert.Equal(0, result.ExitCode);
        var schema = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema["$schema"]!.GetValue<string>());
        var service = schema["$defs"]!["ServiceSpec"]!;
        Assert.False(service["additionalProperties"]!.GetValue<bool>());
        Assert.NotNull(service["properties"]!["endpoints"]);
        var scale = schema["$defs"]!["ScaleSpec"]!;
        Assert.Equal(3, scale["oneOf"]!.AsArray().Count);
    }
}
