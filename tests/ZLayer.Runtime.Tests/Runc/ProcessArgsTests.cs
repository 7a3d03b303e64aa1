using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class ProcessArgsTests
{
    /// <summary>
    /// Lists are written space-separated; "-" means unset and "" an empty list. Image: ENTRYPOINT
    /// and CMD. Expected: the argv, or "error".
    /// </summary>
    [Theory]
    // Map form (upstream): entrypoint and args both set.
    [InlineData("/app/run", "--port 80", false, "/docker-entrypoint.sh", "nginx -g", "/app/run --port 80")]
    // Only entrypoint: the image CMD is dropped.
    [InlineData("/app/run", "-", false, "/docker-entrypoint.sh", "nginx -g", "/app/run")]
    // Only args, map form: args replace the whole command (upstream, unlike Docker).
    [InlineData("-", "redis-server --appendonly", false, "/docker-entrypoint.sh", "redis-server", "redis-server --appendonly")]
    // Only args, compat list form / compose command: Docker CMD semantics, image ENTRYPOINT kept.
    [InlineData("-", "redis-server --appendonly", true, "/docker-entrypoint.sh", "redis-server", "/docker-entrypoint.sh redis-server --appendonly")]
    // Compat form with an image that has no ENTRYPOINT: args alone.
    [InlineData("-", "sleep 5", true, "-", "sh", "sleep 5")]
    // Neither: image ENTRYPOINT ++ CMD, or either alone.
    [InlineData("-", "-", false, "/docker-entrypoint.sh", "nginx -g", "/docker-entrypoint.sh nginx -g")]
    [InlineData("-", "-", false, "-", "sh -c", "sh -c")]
    [InlineData("-", "-", false, "/bin/tini", "-", "/bin/tini")]
    // Empty args count as unset.
    [InlineData("-", "", true, "/e", "c", "/e c")]
    // An explicit empty entrypoint clears the image's and drops its CMD.
    [InlineData("", "echo hi", false, "/e", "c", "echo hi")]
    [InlineData("", "-", false, "/e", "c", "error")]
    // Nothing at all.
    [InlineData("-", "-", false, "-", "-", "error")]
    [InlineData("-", "-", false, "", "", "error")]
    public void Resolves_argv_from_spec_and_image(string entrypoint, string args, bool keep, string imageEntrypoint, string imageCmd, string expected)
    {
        var service = new ServiceSpec { Name = "cache" };
        if (entrypoint != "-" || args != "-")
        {
            service.Command = new CommandSpec { Entrypoint = List(entrypoint), Args = List(args), KeepImageEntrypoint = keep };
        }

        var replica = BundleFixtures.Replica(service);
        var image = BundleFixtures.Image(entrypoint: List(imageEntrypoint), cmd: List(imageCmd));

        if (expected == "error")
        {
            var error = Assert.Throws<RuntimeException>(() => ProcessArgs.Resolve(replica, image));
            Assert.StartsWith("service 'cache': ", error.Message, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(expected.Split(' '), ProcessArgs.Resolve(replica, image));
    }

    [Fact]
    public void An_argv_decided_by_the_agent_without_a_command_block_is_final()
    {
        var replica = BundleFixtures.Replica(new ServiceSpec { Name = "web" }, command: ["/srv/app", "--flag"]);

        Assert.Equal(["/srv/app", "--flag"], ProcessArgs.Resolve(replica, BundleFixtures.Image(entrypoint: ["/e"], cmd: ["c"])));
    }

    [Fact]
    public void The_agents_argv_is_what_runs_even_when_it_differs_from_the_spec_lists()
    {
        var service = new ServiceSpec { Name = "web", Command = new CommandSpec { Args = ["run"], KeepImageEntrypoint = true } };
        var replica = BundleFixtures.Replica(service, command: ["run", "--resolved"]);

        Assert.Equal(["/e", "run", "--resolved"], ProcessArgs.Resolve(replica, BundleFixtures.Image(entrypoint: ["/e"])));
    }

    [Fact]
    public void No_command_names_the_service()
    {
        var error = Assert.Throws<RuntimeException>(() =>
            ProcessArgs.Resolve(BundleFixtures.Replica(new ServiceSpec { Name = "worker" }), BundleFixtures.Image()));

        Assert.Equal("service 'worker': no command to run: the spec has no command.entrypoint or command.args and the image has neither ENTRYPOINT nor CMD", error.Message);
    }

    [Fact]
    public void An_empty_program_name_is_refused()
    {
        var error = Assert.Throws<RuntimeException>(() =>
            ProcessArgs.Resolve(BundleFixtures.Replica(new ServiceSpec { Name = "web" }), BundleFixtures.Image(cmd: ["", "x"])));

        Assert.Contains("argv[0]", error.Message, StringComparison.Ordinal);
    }

    private static List<string>? List(string text) => text switch
    {
        "-" => null,
        "" => [],
        _ => [.. text.Split(' ')],
    };
}
