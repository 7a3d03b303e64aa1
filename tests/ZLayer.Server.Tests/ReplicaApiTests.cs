using System.Net;
using ZLayer.Control.Model;

namespace ZLayer.Server.Tests;

public sealed class ReplicaApiTests
{
    [Fact]
    public async Task Replicas_carry_state_health_node_address_and_ports_in_kebab_case()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 0);
        await Seed.ReplicaAsync(daemon.Control, "demo", "db", 0, ReplicaState.WaitingDependencies, HealthState.Unknown);
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 1, reported: false);

        using var response = await daemon.Http.GetAsync("api/v1/replicas?deployment=demo");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var replicas = (await DeploymentApiTests.JsonAsync(response)).AsArray();
        Assert.Equal(["demo.db.0", "demo.web.0", "demo.web.1"], replicas.Select(r => (string)r!["replica"]!).ToArray());

        var db = replicas[0]!;
        Assert.Equal("waiting-dependencies", (string?)db["state"]);
        Assert.Equal("unknown", (string?)db["health"]);

        var web = replicas[1]!;
        Assert.Equal("running", (string?)web["state"]);
        Assert.Equal("healthy", (string?)web["health"]);
        Assert.Equal("node-1", (string?)web["node"]);
        Assert.Equal("10.0.0.10", (string?)web["address"]);
        Assert.Equal(8080, (int)web["ports"]!["http"]!);
        Assert.True((bool)web["upToDate"]!);

        // Assigned, not yet reported by an agent.
        var pending = replicas[2]!;
        Assert.Equal("pending", (string?)pending["state"]);
        Assert.False((bool)pending["upToDate"]!);
    }

    [Fact]
    public async Task A_replica_of_the_previous_spec_is_not_up_to_date()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 0);
        await Seed.ReplicaAsync(daemon.Control, "demo", "db", 0);
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.DemoWebChanged)).Dispose();

        using var response = await daemon.Http.GetAsync("api/v1/replicas");
        var replicas = (await DeploymentApiTests.JsonAsync(response)).AsArray();
        Assert.False((bool)replicas.Single(r => (string?)r!["service"] == "web")!["upToDate"]!);
        Assert.True((bool)replicas.Single(r => (string?)r!["service"] == "db")!["upToDate"]!);

        using var filtered = await daemon.Http.GetAsync("api/v1/replicas?deployment=demo&service=db");
        Assert.Single((await DeploymentApiTests.JsonAsync(filtered)).AsArray());
    }

    [Fact]
    public async Task The_deployment_view_counts_running_and_healthy_replicas()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 0);
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 1, health: HealthState.Unhealthy);
        using var response = await daemon.Http.GetAsync("api/v1/deployments/demo/services/web");
        var web = await DeploymentApiTests.JsonAsync(response);
        Assert.Equal(2, (int)web["desired"]!);
        Assert.Equal(2, (int)web["running"]!);
        Assert.Equal(1, (int)web["healthy"]!);
    }
}
