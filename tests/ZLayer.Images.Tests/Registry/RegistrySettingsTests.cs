using System.Text;
using ZLayer.Images.Registry;

namespace ZLayer.Images.Tests.Registry;

public sealed class RegistrySettingsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("zlayer-registries-");

    private string SettingsPath => Path.Combine(_root.FullName, "registries.json");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_root.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Without_a_file_registries_use_https_except_loopback_ones()
    {
        var settings = RegistrySettings.Load(SettingsPath);

        Assert.Equal([new RegistryEndpoint(new Uri("https://ghcr.io"), false)], settings.EndpointsFor("ghcr.io"));
        Assert.Equal([new RegistryEndpoint(RegistrySettings.DockerHubApi, false)], settings.EndpointsFor("docker.io"));
        Assert.Equal(new Uri("http://127.0.0.1:5000"), settings.EndpointsFor("127.0.0.1:5000").Single().BaseUri);
        Assert.Equal(new Uri("http://localhost:5000"), settings.EndpointsFor("localhost:5000").Single().BaseUri);
        Assert.True(settings.IsInsecure("[::1]:5000"));
        Assert.False(settings.IsInsecure("registry.example.com:5000"));
        Assert.Null(settings.CredentialFor("ghcr.io"));
    }

    [Fact]
    public void Mirrors_come_first_in_order_then_the_registry_and_insecure_hosts_use_http()
    {
        Write("registries.json", """
            {
              // comments are allowed, as in daemon.json
              "registries": {
                "docker.io": { "mirrors": ["https://mirror-a.example", "http://mirror-b.local:5000"] },
                "registry.lan:5000": { "insecure": true, "username": "ci", "password": "s3cret" }
              }
            }
            """);
        var settings = RegistrySettings.Load(SettingsPath);

        Assert.Equal(
            ["https://mirror-a.example/", "http://mirror-b.local:5000/", "https://registry-1.docker.io/"],
            settings.EndpointsFor("docker.io").Select(e => e.BaseUri.ToString()));
        Assert.Equal([true, true, false], settings.EndpointsFor("docker.io").Select(e => e.IsMirror));
        Assert.Equal("http://registry.lan:5000/", settings.EndpointsFor("registry.lan:5000").Single().BaseUri.ToString());
        Assert.Equal(new RegistryCredential("ci", "s3cret"), settings.CredentialFor("registry.lan:5000"));
        Assert.DoesNotContain("s3cret", settings.CredentialFor("registry.lan:5000")!.ToString());
    }

    [Fact]
    public void Docker_config_logins_are_used_where_this_node_has_none()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("hubuser:hubpass"));
        var ghcr = Convert.ToBase64String(Encoding.UTF8.GetBytes("gh:token:with:colons"));
        var docker = Write("config.json", $$"""
            { "auths": {
                "https://index.docker.io/v1/": { "auth": "{{auth}}" },
                "ghcr.io": { "auth": "{{ghcr}}" },
                "other.example": { "identitytoken": "abc" } } }
            """);
        Write("registries.json", """{ "registries": { "ghcr.io": { "username": "mine", "password": "own" } } }""");
        var settings = RegistrySettings.Load(SettingsPath, docker);

        Assert.Equal(new RegistryCredential("hubuser", "hubpass"), settings.CredentialFor("docker.io"));
        Assert.Equal(new RegistryCredential("mine", "own"), settings.CredentialFor("ghcr.io"));
        Assert.Null(settings.CredentialFor("other.example"));
        Assert.Equal(new RegistryCredential("gh", "token:with:colons"), RegistrySettings.Load(Path.Combine(_root.FullName, "none.json"), docker).CredentialFor("ghcr.io"));
    }

    [Theory]
    [InlineData("""{ "registries": [] }""", "$.registries must be an object")]
    [InlineData("""{ "registries": { "a.example": { "mirrors": ["ftp://x"] } } }""", "$.registries['a.example'].mirrors[0] must be an http:// or https:// URL")]
    [InlineData("""{ "registries": { "a.example": { "insecure": "yes" } } }""", "$.registries['a.example'].insecure must be true or false")]
    [InlineData("""{ "registries": { "a.example": { "username": "u" } } }""", "$.registries['a.example'] needs both username and password")]
    [InlineData("""{ "registries": { "a.example": { "mirror": [] } } }""", "$.registries['a.example'].mirror is not a registry setting")]
    [InlineData("{ \"registries\": {\n  \"a\": ", "registries.json:2:")]
    public void A_bad_file_is_refused_naming_the_file_and_the_value(string text, string expected)
    {
        Write("registries.json", text);
        var error = Assert.Throws<RegistrySettingsException>(() => RegistrySettings.Load(SettingsPath));
        Assert.StartsWith(SettingsPath, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Logins_and_flags_saved_are_read_back_and_the_file_is_private()
    {
        var settings = RegistrySettings.Empty
            .With("registry.lan:5000", h => h with { Insecure = true })
            .With("docker.io", h => h with { Mirrors = [new Uri("https://mirror.example")] })
            .With("ghcr.io", h => h with { Credential = new RegistryCredential("me", "pw") });
        settings.Save(SettingsPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SettingsPath));
        var loaded = RegistrySettings.Load(SettingsPath);
        Assert.True(loaded.IsInsecure("registry.lan:5000"));
        Assert.Equal("https://mirror.example/", loaded.EndpointsFor("docker.io")[0].BaseUri.ToString());
        Assert.Equal(new RegistryCredential("me", "pw"), loaded.CredentialFor("ghcr.io"));

        // Logging out removes the host's entry altogether when nothing else is set for it.
        loaded.With("ghcr.io", h => h with { Credential = null }).Save(SettingsPath);
        Assert.DoesNotContain("ghcr.io", File.ReadAllText(SettingsPath));
        Assert.Empty(Directory.GetFiles(_root.FullName, "*.tmp"));
    }

    public void Dispose() => _root.Delete(recursive: true);
}
