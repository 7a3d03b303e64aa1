using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;

namespace ZLayer.EndToEnd;

/// <summary>
/// `zlayer image`, `login` and `logout` through the real CLI and daemon against real registries
/// (docker-registry on loopback): pull, list, inspect, remove, prune, push, import, logins to an
/// htpasswd registry, and serve's registry mirror flag.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImageCommandTests
{
    private const string User = "e2e-user";
    private const string Password = "e2e-pass:with colon";

    private static readonly ImagePlatform HostPlatform =
        RuntimeInformation.OSArchitecture == Architecture.Arm64 ? ImagePlatform.LinuxArm64V8 : ImagePlatform.LinuxAmd64;

    /// <summary>The host's busybox and a marker layer, so each test's image (and digest) is its own.</summary>
    private static BuiltImage Busybox(string marker) =>
        new OciImageBuilder(HostPlatform)
            .Layer(l => l.Busybox())
            .Layer(l => l.File("etc/marker", marker))
            .Env("MARKER", marker)
            .Entrypoint("/bin/sh", "-c")
            .Cmd("cat /etc/marker")
            .ExposePort(8080)
            .Label("org.example.marker", marker)
            .Build();

    private static async Task PushAsync(RegistryServer registry, BuiltImage image, string repository, string tag)
    {
        using var upload = new RegistryUpload(registry);
        await upload.PushAsync(image, repository, tag);
    }

    private static void Succeeded(CliResult result, string what) =>
        Assert.True(result.ExitCode == 0, $"{what} exited {result.ExitCode}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");

    private static string Short(string digest) => digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..][..12];

    private static async Task<DaemonFixture> StartDaemonAsync(params string[] serveArgs)
    {
        var daemon = new DaemonFixture();
        daemon.ExtraArgs.AddRange(serveArgs);
        try
        {
            await daemon.StartAsync();
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Pull_list_inspect_remove_and_prune_an_image_from_a_registry()
    {
        await using var registry = await RegistryServer.StartAnonymousAsync();
        var image = Busybox("pull");
        await PushAsync(registry, image, "e2e/busybox", "1.0");
        await using var daemon = await StartDaemonAsync();
        var reference = $"{registry.Host}/e2e/busybox:1.0";

        var pull = await daemon.RunAsync("image", "pull", reference);
        Succeeded(pull, "pull");
        Assert.Equal($"{reference}: pulled {image.Digest}", pull.Stdout.Trim());

        // Not on a terminal: a line per step, no bars.
        Assert.Contains($"{reference}: resolving", pull.Stderr);
        Assert.Contains($"{Short(image.Layers[0].Digest)}: ready", pull.Stderr);
        Assert.Contains($"{Short(image.Layers[1].Digest)}: ready", pull.Stderr);
        Assert.DoesNotContain("█", pull.Stderr);

        var quiet = await daemon.RunAsync("image", "pull", "--policy", "if_not_present", "-q", reference);
        Succeeded(quiet, "pull -q");
        Assert.Equal(image.Digest, quiet.Stdout.Trim());
        Assert.Equal("", quiet.Stderr);

        var newer = await daemon.RunAsync("image", "pull", "--policy", "newer", reference);
        Assert.Equal($"{reference}: up to date ({image.Digest})", newer.Stdout.Trim());

        var table = (await daemon.RunAsync("image", "ls")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["REFERENCE", "DIGEST", "PLATFORM", "SIZE", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, table.Length);
        Assert.Matches($@"^{Regex.Escape(reference)} +{Short(image.Digest)} +{HostPlatform} +\d+(\.\d)? (B|KiB|MiB) +\d+[smhd]$", table[1]);

        var listed = JsonNode.Parse((await daemon.RunAsync("image", "ls", "-o", "json")).Stdout)!.AsArray().Single()!;
        Assert.Equal(reference, (string?)listed["reference"]);
        Assert.Equal(image.Digest, (string?)listed["digest"]);
        Assert.Equal(HostPlatform.ToString(), (string?)listed["platform"]);
        Assert.Equal(image.Layers.Sum(l => l.Size), (long)listed["size"]!);
        Assert.Equal(image.Layers.Select(l => l.DiffId), listed["layers"]!.AsArray().Select(l => (string?)l!["diff_id"]));

        var inspect = await daemon.RunAsync("image", "inspect", reference);
        Succeeded(inspect, "inspect");
        var details = JsonNode.Parse(inspect.Stdout)!;
        Assert.Equal(image.Digest, (string?)details["image"]!["digest"]);
        Assert.Equal(["/bin/sh", "-c"], details["config"]!["entrypoint"]!.AsArray().Select(e => (string?)e));
        Assert.Contains("MARKER=pull", details["config"]!["env"]!.AsArray().Select(e => (string?)e));
        Assert.Equal(["8080/tcp"], details["config"]!["exposed_ports"]!.AsArray().Select(e => (string?)e));
        Assert.Equal("pull", (string?)details["config"]!["labels"]!["org.example.marker"]);
        Assert.Equal(2, (int)details["manifest"]!["schemaVersion"]!);
        Assert.Equal(image.Layers.Select(l => l.Digest), details["manifest"]!["layers"]!.AsArray().Select(l => (string?)l!["digest"]));

        var byDigest = JsonNode.Parse((await daemon.RunAsync("image", "inspect", Short(image.Digest))).Stdout)!;
        Assert.Equal(reference, (string?)byDigest["image"]!["reference"]);

        var remove = await daemon.RunAsync("image", "rm", reference, "nosuch:1");
        Assert.Equal(1, remove.ExitCode);
        Assert.Equal($"removed {reference}", remove.Stdout.Trim());
        Assert.Contains("zlayer: error: no image 'nosuch:1' in this node's store", remove.Stderr);
        Assert.Equal("[]", (await daemon.RunAsync("image", "ls", "-o", "json")).Stdout.Trim());

        // Two layers, the config and the manifest were stored; all go, with both unpacked layers.
        var prune = await daemon.RunAsync("image", "prune");
        Succeeded(prune, "prune");
        Assert.Matches(@"^freed \d+(\.\d)? (B|KiB|MiB): 4 blob\(s\), 2 unpacked layer\(s\)$", prune.Stdout.Trim());
        Assert.Equal("freed 0 B: 0 blob(s), 0 unpacked layer(s)", (await daemon.RunAsync("image", "prune")).Stdout.Trim());

        // On a terminal: a line per blob, with a bar, redrawn in place.
        var shown = await PseudoTerminal.RunAsync(daemon.Root, $"{ZLayerProcess.RepositoryRoot}/zlayer image pull {reference}", daemon.Environment);
        Assert.Contains("█", shown);
        Assert.Contains(Short(image.Layers[0].Digest), shown);
        Assert.Contains("ready", shown);
        Assert.Contains($"{reference}: pulled {image.Digest}", shown);
    }

    [Fact]
    public async Task Push_mounts_within_a_registry_uploads_to_another_and_the_copy_pulls_back()
    {
        await using var registry = await RegistryServer.StartAnonymousAsync();
        await using var other = await RegistryServer.StartAnonymousAsync();
        var image = Busybox("push");
        await PushAsync(registry, image, "e2e/busybox", "1.0");
        await using var daemon = await StartDaemonAsync();
        var reference = $"{registry.Host}/e2e/busybox:1.0";
        Succeeded(await daemon.RunAsync("image", "pull", "-q", reference), "pull");

        var copy = $"{registry.Host}/e2e/copy:2";
        var mounted = await daemon.RunAsync("image", "push", reference, copy);
        Succeeded(mounted, "push to another repository");
        Assert.Equal($"{copy}: pushed {image.Digest}", mounted.Stdout.Trim());
        Assert.Contains($"{Short(image.Layers[0].Digest)}: exists: mounted from e2e/busybox", mounted.Stderr);
        Assert.Equal(image.Digest, await ManifestDigestAsync(registry, "e2e/copy", "2"));

        // Its own reference already has every blob.
        var same = await daemon.RunAsync("image", "push", reference);
        Succeeded(same, "push to its own reference");
        Assert.Contains($"{Short(image.Layers[0].Digest)}: exists: already there", same.Stderr);

        var elsewhere = $"{other.Host}/mirror/busybox:1.0";
        var uploaded = await daemon.RunAsync("image", "push", Short(image.Digest), elsewhere);
        Succeeded(uploaded, "push to another registry");
        Assert.Contains($"{Short(image.Layers[0].Digest)}: uploading", uploaded.Stderr);
        Assert.Contains($"{Short(image.Layers[0].Digest)}: pushed", uploaded.Stderr);
        Assert.Equal(image.Digest, await ManifestDigestAsync(other, "mirror/busybox", "1.0"));

        var fresh = await daemon.RunAsync("image", "pull", "-q", elsewhere);
        Succeeded(fresh, "pull of the pushed copy");
        Assert.Equal(image.Digest, fresh.Stdout.Trim());

        var missing = await daemon.RunAsync("image", "push", "nosuch:1", elsewhere);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no image 'nosuch:1' in this node's store", missing.Stderr);
    }

    [Fact]
    public async Task Import_stores_an_oci_layout_and_a_docker_archive_given_by_relative_paths()
    {
        using var dir = new TempDirectory();
        var image = Busybox("import");
        image.WriteOciLayout(Path.Combine(dir.Path, "layout"), "v1");
        image.WriteDockerArchive(Path.Combine(dir.Path, "saved.tar"), "e2e/archived:3");
        await using var daemon = await StartDaemonAsync();

        // The client resolves the path in its own working directory; the daemon's is elsewhere.
        var layout = await ZLayerProcess.RunAsync(dir.Path, daemon.Environment, "image", "import", "layout", "--name", "e2e/imported");
        Succeeded(layout, "import of a layout");
        Assert.Equal($"docker.io/e2e/imported:v1: imported {image.Digest}", layout.Stdout.Trim());
        Assert.Contains($"{Short(image.Layers[1].Digest)}: ready", layout.Stderr);

        var archive = await ZLayerProcess.RunAsync(dir.Path, daemon.Environment, "image", "import", "-q", "saved.tar");
        Succeeded(archive, "import of a docker archive");
        Assert.StartsWith("sha256:", archive.Stdout.Trim());

        var references = JsonNode.Parse((await daemon.RunAsync("image", "ls", "-o", "json")).Stdout)!.AsArray().Select(i => (string?)i!["reference"]);
        Assert.Equal(["docker.io/e2e/archived:3", "docker.io/e2e/imported:v1"], references);

        var unnamed = await ZLayerProcess.RunAsync(dir.Path, daemon.Environment, "image", "import", "layout");
        Assert.Equal(1, unnamed.ExitCode);
        Assert.Contains("has no name (annotation org.opencontainers.image.ref.name); give it one (--name REF)", unnamed.Stderr);

        var absent = await ZLayerProcess.RunAsync(dir.Path, daemon.Environment, "image", "import", "nothing.tar");
        Assert.Equal(1, absent.ExitCode);
        Assert.Equal($"zlayer: error: '{Path.Combine(dir.Path, "nothing.tar")}' does not exist on the daemon's machine (at $.path)", absent.Stderr.Trim());

        File.WriteAllText(Path.Combine(dir.Path, "not-an-image.tar"), "plain text");
        var garbage = await ZLayerProcess.RunAsync(dir.Path, daemon.Environment, "image", "import", "not-an-image.tar");
        Assert.Equal(1, garbage.ExitCode);
        Assert.Contains($"zlayer: error: import {Path.Combine(dir.Path, "not-an-image.tar")}: not a tar archive, or a truncated one", garbage.Stderr);
    }

    [Fact]
    public async Task Login_lets_the_daemon_pull_from_an_htpasswd_registry_and_logout_forgets_it()
    {
        await using var registry = await RegistryServer.StartBasicAuthAsync(User, Password);
        var image = Busybox("login");
        await PushAsync(registry, image, "e2e/private", "1");
        await using var daemon = await StartDaemonAsync();
        var reference = $"{registry.Host}/e2e/private:1";
        var settings = Path.Combine(daemon.DataDir, "registries.json");

        var refused = await daemon.RunAsync("image", "pull", reference);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"zlayer: error: pull {reference}: ", refused.Stderr);

        var wrong = await daemon.RunWithInputAsync("not-the-password\n", "login", registry.Host, "-u", User, "--password-stdin");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains($"login to {registry.Host}", wrong.Stderr);
        Assert.False(File.Exists(settings), "a refused login is not saved");

        var login = await daemon.RunWithInputAsync(Password + "\n", "login", registry.Host, "-u", User, "--password-stdin");
        Succeeded(login, "login");
        Assert.Equal($"logged in to {registry.Host} as {User}", login.Stdout.Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settings));
        Assert.Equal(User, (string?)JsonNode.Parse(File.ReadAllText(settings))!["registries"]![registry.Host]!["username"]);

        var pull = await daemon.RunAsync("image", "pull", "-q", reference);
        Succeeded(pull, "pull after login");
        Assert.Equal(image.Digest, pull.Stdout.Trim());

        var logout = await daemon.RunAsync("logout", registry.Host);
        Succeeded(logout, "logout");
        Assert.Equal($"logged out of {registry.Host}", logout.Stdout.Trim());
        Assert.Null(JsonNode.Parse(File.ReadAllText(settings))!["registries"]![registry.Host]);
        Assert.Equal(1, (await daemon.RunAsync("image", "pull", reference)).ExitCode);

        var again = await daemon.RunAsync("logout", registry.Host);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"this node has no login for {registry.Host}", again.Stderr);

        // On a terminal the password is asked for and not shown as it is typed.
        var prompted = await PseudoTerminal.RunAsync(daemon.Root, $"{ZLayerProcess.RepositoryRoot}/zlayer login {registry.Host} -u {User}", daemon.Environment, ("Password: ", Password + "\r"));
        Assert.Contains("Password: ", prompted);
        Assert.Contains($"logged in to {registry.Host} as {User}", prompted);
        Assert.DoesNotContain(Password, prompted);

        var piped = await daemon.RunAsync("login", registry.Host);
        Assert.Equal(2, piped.ExitCode);
        Assert.Contains("give the user with -u USER", piped.Stderr);

        foreach (var output in new[] { wrong.Stdout, wrong.Stderr, login.Stdout, login.Stderr, await File.ReadAllTextAsync(daemon.DaemonLog) })
        {
            Assert.DoesNotContain(Password, output);
            Assert.DoesNotContain("not-the-password", output);
        }
    }

    [Fact]
    public async Task A_mirror_given_to_serve_serves_pulls_while_the_named_registry_is_down()
    {
        await using var named = await RegistryServer.StartAnonymousAsync();
        await using var mirror = await RegistryServer.StartAnonymousAsync();
        var image = Busybox("mirror");
        await PushAsync(mirror, image, "e2e/mirrored", "1");
        await named.StopAsync();
        await using var daemon = await StartDaemonAsync("--registry-mirror", $"{named.Host}=http://{mirror.Host}");

        var pull = await daemon.RunAsync("image", "pull", "-q", $"{named.Host}/e2e/mirrored:1");
        Succeeded(pull, "pull through the mirror");
        Assert.Equal(image.Digest, pull.Stdout.Trim());

        // The flag applies while the daemon runs; it is not written into the node's settings.
        Assert.False(File.Exists(Path.Combine(daemon.DataDir, "registries.json")));
        Assert.Contains("registry flags apply over registries.json", await File.ReadAllTextAsync(daemon.DaemonLog));
    }

    [Theory]
    [InlineData("--insecure-registry", "http://registry.local:5000", "zlayer: --insecure-registry http://registry.local:5000: 'http://registry.local:5000' is a URL; give the registry's host alone, e.g. 'registry.local:5000'")]
    [InlineData("--insecure-registry", "registry.local:70000", "zlayer: --insecure-registry registry.local:70000: 'registry.local:70000': port 70000 is out of range (1-65535)")]
    [InlineData("--registry-mirror", "docker.io", "zlayer: --registry-mirror docker.io: expected HOST=URL, e.g. docker.io=https://mirror.example.com")]
    [InlineData("--registry-mirror", "docker.io=ftp://mirror.local", "zlayer: --registry-mirror docker.io=ftp://mirror.local: 'ftp://mirror.local' is not an http:// or https:// URL")]
    [InlineData("--registry-mirror", "bad_host=http://mirror.local", "zlayer: --registry-mirror bad_host=http://mirror.local: 'bad_host' is not a registry host")]
    [InlineData("--registry-mirror", "docker.io=https://mirror.local/hub", "zlayer: --registry-mirror docker.io=https://mirror.local/hub: give the mirror's address alone (https://mirror.local)")]
    public async Task Serve_refuses_a_bad_registry_flag_before_starting(string flag, string value, string message)
    {
        using var dir = new TempDirectory();
        var result = await ZLayerProcess.RunAsync(dir.Path, "serve", "--data-dir", Path.Combine(dir.Path, "data"), "--socket", Path.Combine(dir.Path, "s.sock"), "--api", "none", flag, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "data")));
    }

    [Theory]
    [InlineData("image", "pull", "Not An Image")]
    [InlineData("image", "push", "busybox", "Bad Target!")]
    [InlineData("image", "import", "layout", "--name", "Bad Name")]
    [InlineData("login", "https://ghcr.io", "-u", "kai", "--password-stdin")]
    [InlineData("logout", "not a host")]
    public async Task Image_and_login_commands_refuse_bad_names_without_asking_the_daemon(params string[] args)
    {
        using var dir = new TempDirectory();

        // No daemon answers here: a usage error (2) shows the client refused before trying.
        var result = await ZLayerProcess.RunAsync(dir.Path, new Dictionary<string, string> { ["ZLAYER_HOST"] = $"unix://{dir.Path}/none.sock" }, args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("zlayer: ", result.Stderr);
        Assert.DoesNotContain("daemon", result.Stderr);
    }

    private static async Task<string?> ManifestDigestAsync(RegistryServer registry, string repository, string tag)
    {
        using var client = registry.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciManifest));
        using var response = await client.SendAsync(request);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.Single() : null;
    }
}
