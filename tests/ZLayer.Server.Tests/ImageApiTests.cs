using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ZLayer.Server.Tests;

/// <summary>The image and registry routes refuse what they cannot do with a problem that says why, before any transfer starts.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ImageApiTests
{
    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await DeploymentApiTests.JsonAsync(response);
    }

    [Theory]
    [InlineData("""{"reference": "Busy Box!"}""", "$.reference", "invalid image reference 'Busy Box!'")]
    [InlineData("""{"reference": "busybox@sha256:0123456789abcdef0123456789abcdef"}""", "$.reference", "a sha256 digest is exactly 64 lowercase hex digits")]
    [InlineData("""{}""", "$.reference", "'reference' is required")]
    [InlineData("""{"reference": 7}""", "$.reference", "'reference' must be a string, not a number")]
    [InlineData("""{"refrence": "busybox"}""", "$.refrence", "unknown field 'refrence'")]
    [InlineData("""{"reference": "busybox", "policy": "sometimes"}""", "$.policy", "'policy' must be always, newer, if_not_present or never, not 'sometimes'")]
    public async Task A_pull_that_cannot_start_is_a_400_naming_the_field(string body, string field, string detail)
    {
        await using var daemon = await TestDaemon.StartWithImagesAsync();
        using var response = await daemon.Http.PostAsync("api/v1/images/pull", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains(detail, (string?)problem["detail"]);
    }

    [Fact]
    public async Task A_pull_that_fails_after_the_stream_began_ends_with_an_error_line()
    {
        await using var daemon = await TestDaemon.StartWithImagesAsync();
        using var response = await daemon.Http.PostAsJsonAsync("api/v1/images/pull", new { reference = "busybox:1.36", policy = "never" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var last = JsonNode.Parse(lines[^1])!;
        Assert.Null(last["image"]);
        var error = last["error"]!;
        Assert.Equal(422, (int)error["status"]!);
        Assert.Equal("urn:zlayer:problem:image-unavailable", (string?)error["type"]);
        Assert.Contains("image busybox:1.36 is not in the local store and its pull_policy is never", (string?)error["detail"]);
        Assert.Equal("/api/v1/images/pull", (string?)error["instance"]);
    }

    [Fact]
    public async Task An_unknown_image_is_a_404_by_escaped_or_plain_reference_and_by_digest()
    {
        await using var daemon = await TestDaemon.StartWithImagesAsync();
        using var escaped = await daemon.Http.GetAsync("api/v1/images/" + Uri.EscapeDataString("ghcr.io/acme/nosuch:1"));
        Assert.Equal("no image 'ghcr.io/acme/nosuch:1' in this node's store (see `zlayer image ls`)", (string?)(await ProblemAsync(escaped, HttpStatusCode.NotFound))["detail"]);

        using var plain = await daemon.Http.GetAsync("api/v1/images/ghcr.io/acme/nosuch:1");
        Assert.Equal("no image 'ghcr.io/acme/nosuch:1' in this node's store (see `zlayer image ls`)", (string?)(await ProblemAsync(plain, HttpStatusCode.NotFound))["detail"]);

        using var digest = await daemon.Http.DeleteAsync("api/v1/images/sha256:0123456789ab");
        Assert.Contains("no image 'sha256:0123456789ab'", (string?)(await ProblemAsync(digest, HttpStatusCode.NotFound))["detail"]);

        using var removed = await daemon.Http.DeleteAsync("api/v1/images/busybox");
        Assert.Contains("no image 'busybox'", (string?)(await ProblemAsync(removed, HttpStatusCode.NotFound))["detail"]);

        using var bad = await daemon.Http.GetAsync("api/v1/images/" + Uri.EscapeDataString("Not An Image"));
        var problem = await ProblemAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal("reference", (string?)problem["field"]);
        Assert.Contains("invalid image reference 'Not An Image'", (string?)problem["detail"]);

        using var push = await daemon.Http.PostAsJsonAsync("api/v1/images/push", new { source = "busybox", target = "127.0.0.1:5999/mine/busybox" });
        Assert.Contains("no image 'busybox'", (string?)(await ProblemAsync(push, HttpStatusCode.NotFound))["detail"]);
    }

    [Fact]
    public async Task An_empty_store_lists_nothing_and_a_prune_frees_nothing()
    {
        await using var daemon = await TestDaemon.StartWithImagesAsync();
        using var list = await daemon.Http.GetAsync("api/v1/images");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Empty((await DeploymentApiTests.JsonAsync(list)).AsArray());

        using var prune = await daemon.Http.PostAsync("api/v1/images/prune", null);
        Assert.Equal(HttpStatusCode.OK, prune.StatusCode);
        var freed = await DeploymentApiTests.JsonAsync(prune);
        Assert.Equal(0, (int)freed["blobs"]!);
        Assert.Equal(0, (long)freed["bytes"]!);
        Assert.Equal(0, (int)freed["layers"]!);
    }

    [Theory]
    [InlineData("""{"path": "layouts/busybox"}""", "$.path", "'layouts/busybox' is not an absolute path")]
    [InlineData("""{"path": "/nonexistent/busybox.tar"}""", "$.path", "'/nonexistent/busybox.tar' does not exist on the daemon's machine")]
    [InlineData("""{"name": "busybox"}""", "$.path", "'path' is required")]
    [InlineData("""{"path": "/", "name": "Bad Name"}""", "$.name", "invalid image reference 'Bad Name'")]
    public async Task An_import_that_cannot_start_is_a_400_naming_the_field(string body, string field, string detail)
    {
        await using var daemon = await TestDaemon.StartWithImagesAsync();
        using var response = await daemon.Http.PostAsync("api/v1/images/import", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains(detail, (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("""{"username": "kai", "password": "hunter2"}""", "$.registry", "'registry' is required")]
    [InlineData("""{"registry": "ghcr.io", "password": "hunter2"}""", "$.username", "'username' is required")]
    [InlineData("""{"registry": "ghcr.io", "username": "kai"}""", "$.password", "'password' is required")]
    [InlineData("""{"registry": "ghcr.io", "username": "kai", "password": 12345}""", "$.password", "'password' must be a string, not a number")]
    [InlineData("""{"registry": "https://ghcr.io/v2", "username": "kai", "password": "hunter2"}""", "$.registry", "'https://ghcr.io/v2' is a URL; give the registry's host alone, e.g. 'ghcr.io'")]
    [InlineData("""{"registry": "ghcr.io:99999", "username": "kai", "password": "hunter2"}""", "$.registry", "port 99999 is out of range")]
    [InlineData("""{"registry": "ghcr.io", "username": "kai", "password": "hunter2", "email": "k@x"}""", "$.email", "unknown field 'email'")]
    public async Task A_login_with_a_missing_or_bad_field_is_a_400_naming_it(string body, string field, string detail)
    {
        await using var daemon = await TestDaemon.StartWithImagesAsync();
        using var response = await daemon.Http.PostAsync("api/v1/registries/login", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains(detail, (string?)problem["detail"]);
        Assert.DoesNotContain("hunter2", problem.ToJsonString());
    }

    [Fact]
    public async Task A_login_the_registry_cannot_check_is_refused_without_echoing_the_password_and_saves_nothing()
    {
        await using var daemon = await TestDaemon.StartWithImagesAsync();

        // Nothing listens on the discard port: the check fails at once, the way an unreachable registry does.
        using var response = await daemon.Http.PostAsJsonAsync("api/v1/registries/login", new { registry = "127.0.0.1:9", username = "kai", password = "s3cret-pass" });
        var problem = await ProblemAsync(response, HttpStatusCode.BadGateway);
        Assert.Equal("urn:zlayer:problem:registry-failed", (string?)problem["type"]);
        Assert.Contains("login to 127.0.0.1:9", (string?)problem["detail"]);
        Assert.DoesNotContain("s3cret-pass", problem.ToJsonString());
        Assert.False(File.Exists(Path.Combine(daemon.Directory, "data", "registries.json")));

        using var logout = await daemon.Http.DeleteAsync("api/v1/registries/127.0.0.1%3A9/login");
        Assert.Equal("this node has no login for 127.0.0.1:9 (a login in Docker's config.json is not zlayer's to remove)", (string?)(await ProblemAsync(logout, HttpStatusCode.NotFound))["detail"]);

        using var badHost = await daemon.Http.DeleteAsync("api/v1/registries/bad_host!/login");
        Assert.Equal("host", (string?)(await ProblemAsync(badHost, HttpStatusCode.BadRequest))["field"]);
    }
}
