using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class DeployMappingTests
{
    [Fact]
    public void Without_deploy_a_compose_service_runs_one_fixed_replica_and_is_not_restarted()
    {
        var web = Load("services: {web: {image: nginx}}").Service("web");
        Assert.Equal((ScaleMode.Fixed, 1u), (web.Scale!.Mode, web.Scale.Replicas!.Value));
        Assert.Equal(RestartKind.No, web.RestartPolicy!.Kind);
        Assert.Null(web.Resources);
    }

    [Fact]
    public void Deploy_replicas_resources_and_placement()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                deploy:
                  mode: replicated
                  replicas: 4
                  resources:
                    limits:
                      cpus: "1.5"
                      memory: 1536M
                      pids: 200
                  placement:
                    constraints:
                      - node.labels.disk == ssd
                      - "node.labels.zone==eu-1"
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal(4u, web.Scale!.Replicas);
        Assert.Equal((6, 7), (web.Scale.LocationOf("replicas").Line, web.Scale.LocationOf("replicas").Column));
        Assert.Equal(1.5, web.Resources!.Cpu);
        Assert.Equal("1536Mi", web.Resources.Memory!.Value.Text);
        Assert.Equal(1536L * 1024 * 1024, web.Resources.Memory.Value.Bytes);
        Assert.Equal(200L, web.Resources.PidsLimit);
        Assert.Equal(new Dictionary<string, string> { ["disk"] = "ssd", ["zone"] = "eu-1" }, web.NodeSelector!.Labels);
    }

    [Theory]
    [InlineData("512m", "512Mi", true)]
    [InlineData("1g", "1024Mi", true)]
    [InlineData("1.5G", "1536Mi", true)]
    [InlineData("536870912", "512Mi", true)]
    [InlineData("300k", "300Ki", true)]
    [InlineData("1000", "1Ki", false)]
    public void Memory_is_converted_to_exact_binary_units(string memory, string expected, bool exact)
    {
        var result = Load($"services: {{web: {{image: nginx, deploy: {{resources: {{limits: {{memory: \"{memory}\"}}}}}}}}}}");
        Assert.Equal(expected, result.Service("web").Resources!.Memory!.Value.Text);
        Assert.Equal(exact, !result.Diagnostics.Items.Any(d => d.Message.Contains("rounded up", StringComparison.Ordinal)));
    }

    [Fact]
    public void Service_level_limits_are_read_and_deploy_wins_with_a_warning()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                cpus: 0.25
                mem_limit: 256m
                mem_reservation: 128m
                memswap_limit: -1
                pids_limit: 50
                cpu_shares: 512
                cpuset: "0-1"
                oom_score_adj: -500
                oom_kill_disable: true
                deploy:
                  resources:
                    limits: {memory: 512m}
            """);
        var resources = result.Service("web").Resources!;
        Assert.Equal(0.25, resources.Cpu);
        Assert.Equal("512Mi", resources.Memory!.Value.Text);
        Assert.Equal("128Mi", resources.MemoryReservation);
        Assert.Equal("-1", resources.MemorySwap);
        Assert.Equal(50L, resources.PidsLimit);
        Assert.Equal(512u, resources.CpuShares);
        Assert.Equal("0-1", resources.Cpuset);
        Assert.Equal(-500, resources.OomScoreAdj);
        Assert.True(resources.OomKillDisable);
        At(result.Single("'mem_limit' is overridden by deploy.resources.limits.memory"), 5, 5);
    }

    [Theory]
    [InlineData("\"no\"", RestartKind.No, null)]
    [InlineData("always", RestartKind.Always, null)]
    [InlineData("unless-stopped", RestartKind.UnlessStopped, null)]
    [InlineData("on-failure", RestartKind.OnFailure, null)]
    [InlineData("on-failure:5", RestartKind.OnFailure, 5u)]
    public void Restart_policies(string restart, RestartKind kind, uint? attempts)
    {
        var result = Load($"services: {{web: {{image: nginx, restart: {restart}}}}}");
        result.Clean();
        var policy = result.Service("web").RestartPolicy!;
        Assert.Equal((kind, attempts), (policy.Kind, policy.MaxAttempts));
    }

    [Fact]
    public void Deploy_restart_policy_overrides_restart()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                restart: always
                deploy:
                  restart_policy:
                    condition: on-failure
                    max_attempts: 3
                    delay: 5s
                    window: 120s
            """);
        var policy = result.Service("web").RestartPolicy!;
        Assert.Equal((RestartKind.OnFailure, 3u, TimeSpan.FromSeconds(5)), (policy.Kind, policy.MaxAttempts!.Value, policy.Delay!.Value.Value));
        At(result.Single("'restart' is overridden by deploy.restart_policy"), 4, 5);
        At(result.Single("'deploy.restart_policy.window' is not supported"), 10, 9);
    }

    [Fact]
    public void Update_config_is_named_as_not_yet_applied()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                deploy:
                  update_config:
                    parallelism: 2
                  rollback_config:
                    parallelism: 1
            """);
        var update = result.Single("'deploy.update_config' is not yet applied");
        Assert.Equal("compat", update.Code);
        At(update, 5, 7);
        At(result.Single("'deploy.rollback_config' is not yet applied"), 7, 7);
    }

    [Fact]
    public void Other_placement_constraints_and_reservations_are_warned_about()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                deploy:
                  mode: global
                  resources:
                    reservations: {cpus: "0.5"}
                  placement:
                    constraints: ["node.role==manager"]
                    preferences: [{spread: node.labels.zone}]
            """);
        result.NoErrors();
        Assert.Null(result.Service("web").NodeSelector);
        At(result.Single("deploy.mode 'global'"), 5, 13);
        At(result.Single("'deploy.resources.reservations' is not supported"), 7, 9);
        At(result.Single("placement constraint 'node.role==manager'"), 9, 23);
        At(result.Single("'deploy.placement.preferences' is not supported"), 10, 9);
    }

    [Fact]
    public void Legacy_scale_applies_when_deploy_replicas_is_absent()
    {
        Assert.Equal(3u, Load("services: {web: {image: nginx, scale: 3}}").Service("web").Scale!.Replicas);
        var both = Load("services: {web: {image: nginx, scale: 3, deploy: {replicas: 2}}}");
        Assert.Equal(2u, both.Service("web").Scale!.Replicas);
        Assert.Equal("compat", both.Single("'scale' is overridden by deploy.replicas").Code);
    }
}
