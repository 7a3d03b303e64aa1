using ZLayer.Spec.Compose;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class ProjectNamingTests
{
    [Theory]
    [InlineData("shop", "shop")]
    [InlineData("My_Shop", "my-shop")]
    [InlineData("acme.web app", "acme-web-app")]
    [InlineData("--edge--", "edge")]
    [InlineData("ab", "ab-app")]
    [InlineData("x", "x-app")]
    [InlineData("___", "compose")]
    [InlineData("Ünïcode-name", "ncode-name")]
    public void Names_are_sanitised_into_deployment_names(string name, string expected) =>
        Assert.Equal(expected, ProjectNaming.ToDeploymentName(name));

    [Fact]
    public void Long_names_are_cut_at_63_without_a_trailing_hyphen()
    {
        var name = ProjectNaming.ToDeploymentName(new string('a', 62) + "-bbbb");
        Assert.Equal(new string('a', 62), name);
    }

    [Fact]
    public void The_name_comes_from_options_then_environment_then_file_then_directory()
    {
        const string Yaml = "name: from-file\nservices: {web: {image: nginx}}";
        Assert.Equal("from-option", Load(Yaml, Env(("COMPOSE_PROJECT_NAME", "from-env")), projectName: "from-option").Model.Deployment);
        Assert.Equal("from-env", Load(Yaml, Env(("COMPOSE_PROJECT_NAME", "from-env"))).Model.Deployment);
        Assert.Equal("from-file", Load(Yaml).Model.Deployment);
        Assert.Equal("shop", Load("services: {web: {image: nginx}}").Model.Deployment);
    }

    [Fact]
    public void An_explicit_name_that_needed_sanitising_is_warned_about_at_its_place()
    {
        var result = Load("name: ${TEAM}_Shop\nservices: {web: {image: nginx}}", Env(("TEAM", "Acme")));
        Assert.Equal("acme-shop", result.Model.Deployment);
        var warning = result.Single("the deployment is named 'acme-shop'");
        Assert.Equal("compose-name", warning.Code);
        At(warning, 1, 7);
    }
}
