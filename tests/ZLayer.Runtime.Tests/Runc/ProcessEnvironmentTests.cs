using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class ProcessEnvironmentTests
{
    [Fact]
    public void Image_then_defaults_then_replica_with_later_values_in_the_first_position()
    {
        var service = new ServiceSpec { Name = "web" };
        var replica = BundleFixtures.Replica(service, environment: new Dictionary<string, string>
        {
            ["B"] = "from-spec",
            ["NEW"] = "1",
            ["HOSTNAME"] = "custom",
        });

        var env = ProcessEnvironment.Build(replica, ["A=1", "B=image", "PATH=/opt/bin:/bin"], "web-0", "/root");

        Assert.Equal(["A=1", "B=from-spec", "PATH=/opt/bin:/bin", "TERM=xterm", "HOSTNAME=custom", "HOME=/root", "NEW=1"], env);
    }

    [Fact]
    public void Default_PATH_when_the_image_has_none_and_image_HOME_and_TERM_are_kept()
    {
        var replica = BundleFixtures.Replica(new ServiceSpec { Name = "web" });

        var env = ProcessEnvironment.Build(replica, ["HOME=/srv", "TERM=dumb", "EMPTY"], "h", "/home/app");

        Assert.Equal(["HOME=/srv", "TERM=dumb", "EMPTY=", $"PATH={ProcessEnvironment.DefaultPath}", "HOSTNAME=h"], env);
    }

    [Fact]
    public void The_agents_host_PATH_and_HOME_do_not_hide_the_images_unless_the_spec_sets_them()
    {
        var replica = BundleFixtures.Replica(new ServiceSpec { Name = "web" }, environment: new Dictionary<string, string>
        {
            ["PATH"] = "/host/bin",
            ["HOME"] = "/root",
            ["ZLAYER_SERVICE"] = "web",
        });
        var explicitPath = new ServiceSpec { Name = "web" };
        explicitPath.Env["PATH"] = "/spec/bin";
        var replicaWithPath = BundleFixtures.Replica(explicitPath, environment: new Dictionary<string, string> { ["PATH"] = "/spec/bin" });

        Assert.Equal(["PATH=/usr/local/go/bin:/bin", "TERM=xterm", "HOSTNAME=h", "HOME=/home/app", "ZLAYER_SERVICE=web"],
            ProcessEnvironment.Build(replica, ["PATH=/usr/local/go/bin:/bin"], "h", "/home/app"));
        Assert.Contains("PATH=/spec/bin", ProcessEnvironment.Build(replicaWithPath, ["PATH=/usr/local/go/bin:/bin"], "h", "/"));
    }

    [Theory]
    [InlineData("A=B")]
    [InlineData("")]
    public void Invalid_names_are_refused(string name)
    {
        var replica = BundleFixtures.Replica(new ServiceSpec { Name = "web" }, environment: new Dictionary<string, string> { [name] = "x" });

        var error = Assert.Throws<RuntimeException>(() => ProcessEnvironment.Build(replica, [], "h", "/"));
        Assert.Equal($"service 'web': invalid environment variable name \"{name}\"", error.Message);
    }
}
