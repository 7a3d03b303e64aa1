using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Spec.Loading;

namespace ZLayer.Server.Tests;

/// <summary>Deployments, services and scaling through the real API over TCP.</summary>
public sealed class DeploymentApiTests
{
    internal static Task<HttpResponseMessage> DeployAsync(HttpClient http, string spec, string source = "app.yaml") =>
        http.PostAsJsonAsync("api/v1/deployments", new { spec, source });

    internal static async Task<JsonNode> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    [Fact]
    public async Task A_new_deployment_is_created_with_every_service_added()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var response = await DeployAsync(daemon.Http, Specs.Demo);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/deployments/demo", response.Headers.Location?.OriginalString);
        var body = await JsonAsync(response);
        Assert.Equal("demo", (string?)body["deployment"]);
        Assert.Equal(1, (long)body["generation"]!);
        Assert.True((bool)body["created"]!);
        Assert.Equal(["web", "db"], Strings(body["changes"]!["added"]));
        Assert.Empty(Strings(body["changes"]!["unchanged"]));
    }

    [Fact]
    public async Task Redeploying_reports_unchanged_and_changed_services()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        using var same = await DeployAsync(daemon.Http, Specs.Demo);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        var unchanged = await JsonAsync(same);
        Assert.Equal(2, (long)unchanged["generation"]!);
        Assert.False((bool)unchanged["created"]!);
        Assert.Equal(["web", "db"], Strings(unchanged["changes"]!["unchanged"]));
        Assert.Empty(Strings(unchanged["changes"]!["changed"]));

        using var changed = await DeployAsync(daemon.Http, Specs.DemoWebChanged);
        var body = await JsonAsync(changed);
        Assert.Equal(["web"], Strings(body["changes"]!["changed"]));
        Assert.Equal(["db"], Strings(body["changes"]!["unchanged"]));
    }

    [Fact]
    public async Task An_endpoint_another_deployment_serves_is_refused_with_422_naming_both()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        using var response = await DeployAsync(daemon.Http, Specs.Demo.Replace("deployment: demo", "deployment: copy", StringComparison.Ordinal), "copy.yaml");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await JsonAsync(response);
        var error = Assert.Single(problem["errors"]!.AsArray())!;
        Assert.Equal("endpoint-conflict", (string?)error["code"]);
        Assert.Equal("port 80: endpoint 'http' of copy/web conflicts with endpoint 'http' of demo/web (same route: any host, path /)", (string?)error["message"]);
        Assert.Equal("copy.yaml", (string?)error["file"]);
        Assert.Equal("services.web.endpoints[0]", (string?)error["path"]);

        using var copy = await daemon.Http.GetAsync("api/v1/deployments/copy");
        Assert.Equal(HttpStatusCode.NotFound, copy.StatusCode);
    }

    [Fact]
    public async Task An_invalid_spec_is_refused_with_validate_diagnostics_and_the_running_deployment_is_untouched()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        using var response = await DeployAsync(daemon.Http, Specs.Invalid, "demo.yaml");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal(422, (int)problem["status"]!);
        Assert.Equal("urn:zlayer:problem:invalid-spec", (string?)problem["type"]);
        Assert.StartsWith("demo.yaml: invalid (2 errors, 0 warnings)", (string?)problem["detail"]);

        // The same places and words as `zlayer validate` prints for the same text.
        var expected = SpecLoader.LoadText(Specs.Invalid, "demo.yaml").Diagnostics.Select(d => d.ToString()).ToList();
        var errors = problem["errors"]!.AsArray();
        var printed = errors.Select(e => $"{e!["file"]}:{e["line"]}:{e["column"]}: {e["severity"]}: {e["message"]}").ToList();
        Assert.Equal(expected, printed);
        Assert.Equal(2, expected.Count);
        Assert.Contains(errors, e => (string?)e!["path"] == "services.web.endpoints[0].protocol" && (int)e["line"]! == 7);

        using var current = await daemon.Http.GetAsync("api/v1/deployments/demo");
        Assert.Equal(1, (long)(await JsonAsync(current))["generation"]!);
    }

    [Fact]
    public async Task A_raw_yaml_body_is_accepted_and_named_by_the_source_parameter()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var content = new StringContent(Specs.Invalid, Encoding.UTF8, "application/yaml");
        using var invalid = await daemon.Http.PostAsync("api/v1/deployments?source=raw.yaml", content);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Equal("raw.yaml", (string?)(await JsonAsync(invalid))["errors"]![0]!["file"]);

        using var valid = new StringContent(Specs.Demo, Encoding.UTF8, "application/yaml");
        using var created = await daemon.Http.PostAsync("api/v1/deployments", valid);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var record = await daemon.Http.GetAsync("api/v1/deployments/demo/spec");
        var stored = await JsonAsync(record);
        Assert.Equal(Specs.Demo, (string?)stored["spec"]);
        Assert.Equal("api 127.0.0.1 (token 'admin (made by the daemon)')", (string?)stored["deployedBy"]);
    }

    [Fact]
    public async Task A_spec_sent_as_a_json_object_is_loaded_too()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var spec = new JsonObject
        {
            ["version"] = "v1",
            ["deployment"] = "jsonned",
            ["services"] = new JsonObject { ["api"] = new JsonObject { ["image"] = new JsonObject { ["name"] = "busybox" } } },
        };
        using var response = await daemon.Http.PostAsJsonAsync("api/v1/deployments", new JsonObject { ["spec"] = spec });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["api"], Strings((await JsonAsync(response))["changes"]!["added"]));
    }

    [Fact]
    public async Task Scaling_overrides_the_desired_count_of_a_service()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        using var scaled = await daemon.Http.PostAsJsonAsync("api/v1/deployments/demo/services/web/scale", new { replicas = 5 });
        Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);
        var body = await JsonAsync(scaled);
        Assert.Equal(5, (int)body["replicas"]!);
        Assert.Equal(2, (int)body["previous"]!);

        using var services = await daemon.Http.GetAsync("api/v1/deployments/demo/services");
        var web = (await JsonAsync(services)).AsArray().Single(s => (string?)s!["name"] == "web")!;
        Assert.Equal(5, (int)web["desired"]!);
        using var one = await daemon.Http.GetAsync("api/v1/deployments/demo/services/db");
        Assert.Equal(1, (int)(await JsonAsync(one))["desired"]!);
    }

    [Theory]
    [InlineData("{\"replicas\": -1}", "$.replicas", "0 or more")]
    [InlineData("{\"replicas\": \"three\"}", "$.replicas", "whole number")]
    [InlineData("{\"replicas\": 2.5}", "$.replicas", "whole number")]
    [InlineData("{}", "$.replicas", "required")]
    [InlineData("{\"replica\": 3}", "$.replica", "unknown field")]
    [InlineData("[3]", "$", "JSON object")]
    [InlineData("{\"replicas\": 3", "$", "not valid JSON")]
    public async Task A_bad_scale_body_is_a_400_naming_the_field(string json, string field, string words)
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await daemon.Http.PostAsync("api/v1/deployments/demo/services/web/scale", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains(words, (string?)problem["detail"]);
        Assert.DoesNotContain("   at ", problem.ToJsonString());
    }

    [Theory]
    [InlineData("{\"spec\": 42}", "$.spec")]
    [InlineData("{\"source\": \"a.yaml\"}", "$.spec")]
    [InlineData("{\"spec\": \"version: v1\", \"spek\": 1}", "$.spek")]
    [InlineData("{\"spec\": \"\"}", "$.spec")]
    [InlineData("{\"spec\": \"x\", \"source\": 7}", "$.source")]
    [InlineData("{\"spec\": ", "$")]
    public async Task A_bad_deploy_body_is_a_400_naming_the_field(string json, string field)
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await daemon.Http.PostAsync("api/v1/deployments", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Equal("/api/v1/deployments", (string?)problem["instance"]);
    }

    [Fact]
    public async Task Scaling_an_unknown_service_or_deployment_is_a_404()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        using var service = await daemon.Http.PostAsJsonAsync("api/v1/deployments/demo/services/cache/scale", new { replicas = 1 });
        Assert.Equal(HttpStatusCode.NotFound, service.StatusCode);
        Assert.Contains("no service 'cache' (it has web, db)", (string?)(await JsonAsync(service))["detail"]);
        using var deployment = await daemon.Http.PostAsJsonAsync("api/v1/deployments/other/services/web/scale", new { replicas = 1 });
        Assert.Equal(HttpStatusCode.NotFound, deployment.StatusCode);
    }

    [Fact]
    public async Task Removing_a_deployment_makes_it_404()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        using var deleted = await daemon.Http.DeleteAsync("api/v1/deployments/demo");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using var get = await daemon.Http.GetAsync("api/v1/deployments/demo");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no deployment 'demo'", (string?)(await JsonAsync(get))["detail"]);
        using var again = await daemon.Http.DeleteAsync("api/v1/deployments/demo");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var list = await daemon.Http.GetAsync("api/v1/deployments");
        Assert.Empty((await JsonAsync(list)).AsArray());
    }

    [Fact]
    public async Task Unknown_routes_wrong_methods_and_media_types_answer_problem_documents()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var route = await daemon.Http.GetAsync("api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Assert.Equal("application/problem+json", route.Content.Headers.ContentType?.MediaType);

        using var method = await daemon.Http.PutAsync("api/v1/deployments", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.Equal("application/problem+json", method.Content.Headers.ContentType?.MediaType);

        using var media = await daemon.Http.PostAsync("api/v1/deployments", new StringContent("<spec/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, media.StatusCode);
        Assert.Contains("application/yaml", (string?)(await JsonAsync(media))["detail"]);
    }

    [Theory]
    [InlineData("api/v1/deployments/bad%2Fname")]
    [InlineData("api/v1/deployments/..")]
    [InlineData("api/v1/replicas?deployment=a%2Fb")]
    public async Task Names_that_could_escape_their_key_prefix_are_refused(string path)
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var response = await daemon.Http.GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_store_on_a_full_disk_answers_507_and_an_unavailable_one_503()
    {
        await using var daemon = await TestDaemon.StartAsync();
        daemon.Store.FailWith = "database or disk is full (SQLITE_FULL)";
        using var full = await DeployAsync(daemon.Http, Specs.Demo);
        Assert.Equal(HttpStatusCode.InsufficientStorage, full.StatusCode);
        var problem = await JsonAsync(full);
        Assert.Equal("The state store is out of disk space", (string?)problem["title"]);
        Assert.Contains("free disk space", (string?)problem["detail"]);

        daemon.Store.FailWith = "database is locked by another process";
        using var unavailable = await daemon.Http.GetAsync("api/v1/deployments");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.NotNull(unavailable.Headers.RetryAfter);
        Assert.Contains("database is locked", (string?)(await JsonAsync(unavailable))["detail"]);

        daemon.Store.FailWith = null;
        using var list = await daemon.Http.GetAsync("api/v1/deployments");
        Assert.Empty((await JsonAsync(list)).AsArray());
    }

    [Fact]
    public async Task Every_json_answer_uses_the_store_shape_camel_case_and_kebab_enums()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        using var response = await daemon.Http.GetAsync("api/v1/deployments/demo");
        var view = await JsonAsync(response);
        Assert.Equal("progressing", (string?)view["status"]);
        Assert.NotNull(view["createdAt"]);
        Assert.NotNull(view["deployedBy"]);
        Assert.Equal(["web", "db"], view["services"]!.AsArray().Select(s => (string)s!["name"]!).ToArray());
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(view["services"]!.ToJsonString()).RootElement.ValueKind);
    }
}
