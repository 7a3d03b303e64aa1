using System.Text.Json.Nodes;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Output;
using ZLayer.Spec.Schema;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests;

public sealed class OutputTests
{
    private static string Json(LoadResult result) => SpecJson.Serialize(result.Spec!);

    [Theory]
    [MemberData(nameof(SpecExamples.Named), MemberType = typeof(SpecExamples))]
    public void Examples_are_valid(string name, string yaml)
    {
        _ = name;
        AssertClean(Load(yaml));
    }

    [Theory]
    [MemberData(nameof(SpecExamples.Named), MemberType = typeof(SpecExamples))]
    public void Json_output_loads_again_to_the_same_json(string name, string yaml)
    {
        _ = name;
        var first = Load(yaml);
        AssertClean(first);
        var json = Json(first);
        var again = Load(json);
        AssertClean(again);
        Assert.Equal(json, Json(again));
    }

    [Theory]
    [MemberData(nameof(SpecExamples.Named), MemberType = typeof(SpecExamples))]
    public void Yaml_output_loads_again_to_the_same_json(string name, string yaml)
    {
        _ = name;
        var first = Load(yaml);
        AssertClean(first);
        var dumped = SpecYaml.Serialize(first.Spec!);
        var again = Load(dumped);
        AssertClean(again);
        Assert.Equal(Json(first), Json(again));
        Assert.Equal(dumped, SpecYaml.Serialize(again.Spec!));
    }

    [Fact]
    public void Output_uses_spec_key_names_and_canonical_values()
    {
        var result = Load(SpecExamples.B);
        var api = JsonNode.Parse(Json(result))!["services"]!["api"]!;
        Assert.Equal("ghcr.io/acme/billing-api:1.9.0", (string?)api["image"]!["name"]);
        Assert.Equal("newer", (string?)api["image"]!["pull_policy"]);
        Assert.Equal("2m", (string?)api["depends"]![0]!["timeout"]);
        Assert.Equal("1m 30s", (string?)api["init"]!["steps"]![0]!["timeout"]);
        Assert.Equal(60, (int)api["init"]!["steps"]![0]!["with"]!["timeout"]!);
        Assert.Equal("512Mi", (string?)api["resources"]!["memory"]);
        Assert.Equal(1.0, (double)api["resources"]!["cpu"]!);
        Assert.Equal("$E:BILLING_LOG_LEVEL", (string?)api["env"]!["LOG_LEVEL"]);
        Assert.Equal("adaptive", (string?)api["scale"]!["mode"]);
    }

    [Fact]
    public void Output_holds_only_keys_the_loader_accepts()
    {
        var json = JsonNode.Parse(Json(Load(SpecExamples.A)))!;
        var endpoint = json["services"]!["web"]!["endpoints"]![0]!.AsObject();
        Assert.Equal(["name", "protocol", "port", "target_port", "expose"], endpoint.Select(p => p.Key));
        var scale = json["services"]!["web"]!["scale"]!.AsObject();
        Assert.Equal(["mode", "replicas"], scale.Select(p => p.Key));
    }

    [Fact]
    public void Empty_collections_and_unset_values_are_left_out()
    {
        var json = JsonNode.Parse(Json(Load(OneService(""))))!.AsObject();
        Assert.Equal(["version", "deployment", "services"], json.Select(p => p.Key));
        var web = json["services"]!["web"]!.AsObject();
        foreach (var key in new[] { "env", "endpoints", "depends", "storage", "labels", "capabilities", "command", "health", "scale", "schedule", "dns", "ulimits", "name", "volumes", "host_network" })
        {
            Assert.False(web.ContainsKey(key), $"'{key}' should be left out");
        }

        Assert.Equal("if_not_present", (string?)web["image"]!["pull_policy"]);
    }

    [Fact]
    public void Yaml_output_quotes_strings_that_would_read_as_other_types()
    {
        var result = Load(OneService("env:\n  PORT: \"8080\"\n  DEBUG: \"true\"\n  OFF: \"False\"\n  NOTHING: \"null\"\n  TILDE: \"~\"\n  EMPTY: \"\"\n  OCT: \"0o17\"\n  HEX: \"0x1F\"\n  EXP: \"1e3\"\n  WORD: plain\nlabels: { \"version\": \"2.0\" }"));
        AssertClean(result);
        var yaml = SpecYaml.Serialize(result.Spec!);
        foreach (var line in new[] { "PORT: \"8080\"", "DEBUG: \"true\"", "OFF: \"False\"", "NOTHING: \"null\"", "TILDE: \"~\"", "EMPTY: \"\"", "OCT: \"0o17\"", "HEX: \"0x1F\"", "EXP: \"1e3\"", "WORD: plain", "version: \"2.0\"" })
        {
            Assert.Contains(line, yaml);
        }

        var again = Load(yaml);
        AssertClean(again);
        Assert.Equal(result.Spec!.Services["web"].Env, again.Spec!.Services["web"].Env);
    }

    [Fact]
    public void Yaml_output_keeps_strings_with_yaml_syntax_intact()
    {
        var values = new[] { "a: b", "- item", "#comment", "*alias", "&anchor", "!tag", "{x}", "[y]", "'single'", "\"double\"", "multi\nline", " leading space", "trailing space ", "%percent", "@at", "`tick`", "|", ">", "?", "tab\there", "ünïcödé", "$$E:X" };
        var env = string.Join("\n", values.Select((v, i) => $"  V{i}: \"{v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)}\""));
        var result = Load(OneService("env:\n" + env));
        AssertClean(result);
        var again = Load(SpecYaml.Serialize(result.Spec!));
        AssertClean(again);
        Assert.Equal(values, again.Spec!.Services["web"].Env.Values);
    }

    [Fact]
    public void Compat_forms_are_written_in_their_canonical_form()
    {
        var result = Load(Services("""
            web:
              image: { name: nginx }
              command: [nginx, -g, "daemon off;"]
              env: [{ name: A, value: b }]
              resources: { cpu: "1.5" }
              volumes: ["./html:/usr/share/nginx/html:ro", "cache:/cache"]
              init: [{ id: w, uses: init.run, with: { command: "true" } }]
              host_network: true
              health: { check: { type: exec, command: [CMD, curl, -f, "http://localhost/"] } }
            """));
        AssertValid(result);
        var dumped = SpecYaml.Serialize(result.Spec!);
        var again = Load(dumped);
        AssertClean(again);
        var web = JsonNode.Parse(Json(again))!["services"]!["web"]!;
        Assert.True((bool)web["command"]!["keep_image_entrypoint"]!);
        Assert.Equal("b", (string?)web["env"]!["A"]);
        Assert.Equal(1.5, (double)web["resources"]!["cpu"]!);
        Assert.Equal("bind", (string?)web["storage"]![0]!["type"]);
        Assert.Equal("named", (string?)web["storage"]![1]!["type"]);
        Assert.Equal("w", (string?)web["init"]!["steps"]![0]!["id"]);
        Assert.Equal("host", (string?)web["network_mode"]);
        Assert.Equal("command", (string?)web["health"]!["check"]!["type"]);
        Assert.Equal("curl -f http://localhost/", (string?)web["health"]!["check"]!["command"]);
    }

    [Fact]
    public void Tmpfs_mode_is_written_as_octal_text()
    {
        var result = Load(SpecExamples.D);
        Assert.Contains("mode: \"01777\"", SpecYaml.Serialize(result.Spec!));
    }

    // ---- JSON Schema --------------------------------------------------------------------------

    private static JsonObject Schema() => JsonNode.Parse(SpecSchema.Generate().ToJsonString())!.AsObject();

    [Fact]
    public void Schema_is_json_with_defs_and_closed_objects()
    {
        var schema = Schema();
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Equal(["version", "deployment"], schema["required"]!.AsArray().Select(n => (string)n!));
        Assert.False((bool)schema["additionalProperties"]!);
        Assert.Equal("#/$defs/ServiceSpec", (string?)schema["properties"]!["services"]!["additionalProperties"]!["$ref"]);

        var defs = schema["$defs"]!.AsObject();
        var service = defs["ServiceSpec"]!.AsObject();
        Assert.False((bool)service["additionalProperties"]!);
        Assert.True(service["patternProperties"]!.AsObject().ContainsKey("^x-"));
        Assert.False(service["properties"]!.AsObject().ContainsKey("volumes"));
        Assert.False(service["properties"]!.AsObject().ContainsKey("host_network"));
        Assert.Equal("#/$defs/EndpointSpec", (string?)service["properties"]!["endpoints"]!["items"]!["$ref"]);
        Assert.Equal(["http", "https", "tcp", "udp", "websocket"], defs["EndpointSpec"]!["properties"]!["protocol"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(65535, (int)defs["EndpointSpec"]!["properties"]!["port"]!["maximum"]!);
    }

    [Fact]
    public void Schema_marks_open_blocks_and_unions()
    {
        var defs = Schema()["$defs"]!.AsObject();
        Assert.True((bool)defs["HealthCheckSpec"]!["additionalProperties"]!);
        Assert.True((bool)defs["LogsSpec"]!["additionalProperties"]!);
        Assert.False((bool)defs["HealthSpec"]!["additionalProperties"]!);
        var scale = defs["ScaleSpec"]!["oneOf"]!.AsArray();
        Assert.Equal(["adaptive", "fixed", "manual"], scale.Select(b => (string)b!["properties"]!["mode"]!["const"]!));
        var fixedBranch = scale[1]!;
        Assert.Equal(["mode", "replicas"], fixedBranch["required"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void Schema_has_a_definition_for_every_object_it_references()
    {
        var schema = Schema();
        var defs = schema["$defs"]!.AsObject();
        foreach (var reference in AllValues(schema).OfType<JsonValue>().Select(v => v.ToString()).Where(s => s.StartsWith("#/$defs/", StringComparison.Ordinal)))
        {
            Assert.True(defs.ContainsKey(reference["#/$defs/".Length..]), reference);
        }
    }

    [Theory]
    [MemberData(nameof(SpecExamples.Named), MemberType = typeof(SpecExamples))]
    public void Every_key_of_the_output_is_described_by_the_schema(string name, string yaml)
    {
        _ = name;
        var schema = Schema();
        var json = JsonNode.Parse(Json(Load(yaml)))!;
        CheckKeys(json, schema, schema["$defs"]!.AsObject(), "");
    }

    private static void CheckKeys(JsonNode? value, JsonNode schema, JsonObject defs, string path)
    {
        if (schema["$ref"] is { } reference)
        {
            schema = defs[((string)reference!)["#/$defs/".Length..]]!;
        }

        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (key, child) in obj)
                {
                    Assert.True(properties.ContainsKey(key) || (bool?)schema["additionalProperties"] == true || key.StartsWith("x-", StringComparison.Ordinal), $"'{path}.{key}' is not in the schema");
                    if (properties[key] is { } childSchema)
                    {
                        CheckKeys(child, childSchema, defs, $"{path}.{key}");
                    }
                }

                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject valueSchema:
                foreach (var (key, child) in obj)
                {
                    CheckKeys(child, valueSchema, defs, $"{path}.{key}");
                }

                break;
            case JsonArray array when schema["items"] is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    CheckKeys(array[i], items, defs, $"{path}[{i}]");
                }

                break;
        }
    }

    private static IEnumerable<JsonNode> AllValues(JsonNode node)
    {
        var stack = new Stack<JsonNode>([node]);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            yield return current;
            IEnumerable<JsonNode?> children = current switch
            {
                JsonObject o => o.Select(p => p.Value),
                JsonArray a => a,
                _ => [],
            };
            foreach (var child in children.OfType<JsonNode>())
            {
                stack.Push(child);
            }
        }
    }
}
