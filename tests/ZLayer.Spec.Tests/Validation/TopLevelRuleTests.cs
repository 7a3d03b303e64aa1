using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class TopLevelRuleTests
{
    [Theory]
    [InlineData("v2")]
    [InlineData("V1")]
    [InlineData("1")]
    [InlineData("\"v1 \"")]
    public void Version_must_be_v1(string version)
    {
        var yaml = $"version: {version}\ndeployment: demo\n";
        var error = SingleError(Load(yaml));
        Assert.Equal("version", error.Code);
        Assert.Equal("version", error.Path);
        Assert.Equal($"version must be \"v1\", found \"{version.Trim('"')}\"", error.Message);
        Assert.Equal("test.zlayer.yaml:1:10", error.Location.ToString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a-b")]
    [InlineData("Shop-Frontend")]
    [InlineData("9lives")]
    [InlineData("demo-")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901b")] // 63
    public void Deployment_names_upstream_accepts_are_valid(string name)
    {
        AssertClean(Load($"version: v1\ndeployment: {name}\n"));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012b")] // 64
    [InlineData("-demo")]
    [InlineData("de_mo")]
    [InlineData("\"de mo\"")]
    [InlineData("démo")]
    [InlineData("demo.app")]
    [InlineData("\"\"")]
    public void Deployment_names_must_be_3_to_63_letters_digits_and_hyphens(string name)
    {
        var yaml = $"version: v1\ndeployment: {name}\n";
        var error = SingleError(Load(yaml));
        Assert.Equal("name", error.Code);
        Assert.Equal($"deployment name '{name.Trim('"')}' must be 3-63 characters of letters, digits and '-', starting with a letter or digit", error.Message);
        Assert.Equal("test.zlayer.yaml:2:13", error.Location.ToString());
    }

    [Fact]
    public void A_block_scalar_name_with_a_line_break_is_rejected()
    {
        var error = SingleError(Load("version: v1\ndeployment: |\n  demo\n"));
        Assert.Equal("deployment name 'demo\n' must be 3-63 characters of letters, digits and '-', starting with a letter or digit", error.Message);
    }

    [Fact]
    public void A_file_without_services_is_valid()
    {
        AssertClean(Load("version: v1\ndeployment: empty\n"));
        AssertClean(Load("version: v1\ndeployment: empty\nservices: {}\n"));
    }

    [Theory]
    [InlineData("web")]
    [InlineData("a")]
    [InlineData("1")]
    [InlineData("my-svc2")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012")] // 63
    public void Service_names_that_are_dns_labels_are_valid(string name)
    {
        AssertClean(Load(OneService("", name)));
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("my_svc")]
    [InlineData("-web")]
    [InlineData("web-")]
    [InlineData("web.api")]
    [InlineData("\"web api\"")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")] // 64
    [InlineData("\"web\\n\"")]
    public void Service_names_must_be_dns_labels(string name)
    {
        var yaml = OneService("", name);
        var error = SingleError(Load(yaml));
        var written = name.StartsWith('"') ? name.Trim('"').Replace("\\n", "\n", StringComparison.Ordinal) : name;
        Assert.Equal("name", error.Code);
        Assert.Equal($"services.{written}", error.Path);
        Assert.Equal($"service name '{written}' must be a DNS label: lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit", error.Message);
        Assert.InRange(error.Location.Line, 4, 5); // the service's entry
    }

    [Fact]
    public void All_errors_of_a_file_are_reported_at_once()
    {
        var yaml = """
            version: v1
            deployment: ab
            services:
              web:
                image: { name: nginx }
                resources: { cpu: 0 }
                endpoints:
                  - { name: http, protocol: http, port: 0 }
                depends: [{ service: dbb }]
              db:
                image: { name: postgres }
                user: "a b"
            """;
        var result = Load(yaml);
        var errors = Errors(result);
        Assert.True(errors.Count == 5, Describe(result));
        Assert.Equal(["name", "cpu", "port", "unknown-dependency", "user"], errors.Select(e => e.Code));
        Assert.Equal([2, 6, 8, 9, 12], errors.Select(e => e.Location.Line));
        Assert.NotNull(result.Spec);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Binding_and_validation_errors_are_reported_together_in_file_order()
    {
        var yaml = """
            version: v2
            deployment: demo
            services:
              web:
                image: { name: nginx }
                portt: 80
                scale: { mode: adaptive, min: 5, max: 2 }
                endpoints: [{ name: h, protocol: htp, port: 80 }]
              api:
                image: { name: BAD }
            """;
        var result = Load(yaml);
        Assert.Equal([1, 6, 7, 8, 10], Errors(result).Select(e => e.Location.Line));
    }

    [Fact]
    public void Diagnostics_print_like_compiler_messages()
    {
        Assert.Equal("test.zlayer.yaml:6:5: error: unknown key 'imgae' in 'services.web'; did you mean 'image'?", SingleError(Load(OneService("imgae: {}"))).ToString());
        Assert.Equal("test.zlayer.yaml:6:13: warning: unknown key 'rotate' in 'services.web.logs' is ignored", SingleWarning(Load(OneService("logs: { rotate: true }"))).ToString());
    }
}
