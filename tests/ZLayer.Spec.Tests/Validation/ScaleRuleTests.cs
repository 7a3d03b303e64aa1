using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class ScaleRuleTests
{
    [Fact]
    public void Adaptive_min_must_not_exceed_max()
    {
        var yaml = OneService("scale: { mode: adaptive, min: 5, max: 2 }");
        var error = SingleError(Load(yaml));
        Assert.Equal("scale", error.Code);
        Assert.Equal("scale min (5) must not exceed max (2)", error.Message);
        AssertAt(error, yaml, "5,");
    }

    [Fact]
    public void Adaptive_max_must_be_at_least_1()
    {
        var error = SingleError(Load(OneService("scale: { mode: adaptive, min: 0, max: 0 }")));
        Assert.Equal("scale max must be at least 1", error.Message);
    }

    [Theory]
    [InlineData("min: 0, max: 1")]
    [InlineData("min: 3, max: 3")]
    [InlineData("min: 1, max: 10, cooldown: 45s, targets: { cpu: 1, memory: 100, rps: 1 }")]
    public void Valid_adaptive_scales(string keys)
    {
        AssertClean(Load(OneService($"scale: {{ mode: adaptive, {keys} }}")));
    }

    [Theory]
    [InlineData("cpu: 0", "cpu target must be a percentage 1-100, found 0")]
    [InlineData("cpu: 101", "cpu target must be a percentage 1-100, found 101")]
    [InlineData("memory: 0", "memory target must be a percentage 1-100, found 0")]
    [InlineData("memory: 200", "memory target must be a percentage 1-100, found 200")]
    [InlineData("rps: 0", "rps target must be at least 1")]
    public void Scale_targets_are_range_checked(string target, string message)
    {
        var yaml = OneService($"scale: {{ mode: adaptive, min: 1, max: 2, targets: {{ {target} }} }}");
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        Assert.Equal($"services.web.scale.targets.{target.Split(':')[0]}", error.Path);
        AssertAt(error, yaml, target.Split(": ")[1] + " }");
    }

    [Fact]
    public void Initial_replicas_follow_the_mode()
    {
        var result = Load(Services("""
            f: { image: { name: x }, scale: { mode: fixed, replicas: 3 } }
            a: { image: { name: x }, scale: { mode: adaptive, min: 2, max: 5 } }
            m: { image: { name: x }, scale: { mode: manual } }
            """));
        AssertClean(result);
        Assert.Equal([3u, 2u, 0u], result.Spec!.Services.Values.Select(s => s.Scale!.InitialReplicas));
        Assert.Equal((ScaleMode.Adaptive, 1u, 10u), (ScaleSpec.Default.Mode, ScaleSpec.Default.Min!.Value, ScaleSpec.Default.Max!.Value));
    }

    // ---- replica groups -----------------------------------------------------------------------

    [Theory]
    [InlineData("primary")]
    [InlineData("a")]
    [InlineData("read-replica-2")]
    [InlineData("a23456789012345678901234567890")] // 30
    public void Valid_roles(string role)
    {
        AssertClean(Load(OneService($"replica_groups: [{{ role: {role}, count: 1 }}]")));
    }

    [Theory]
    [InlineData("Primary")]
    [InlineData("1st")]
    [InlineData("primary-")]
    [InlineData("pri_mary")]
    [InlineData("\"\"")]
    [InlineData("a234567890123456789012345678901")] // 31
    public void Roles_must_match_the_upstream_pattern(string role)
    {
        var yaml = OneService($"replica_groups: [{{ role: {role}, count: 1 }}]");
        var error = SingleError(Load(yaml));
        Assert.Equal("role", error.Code);
        Assert.Equal($"role '{role.Trim('"')}' must be 1-30 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-'", error.Message);
        AssertAt(error, yaml, role + ",");
    }

    [Fact]
    public void Duplicate_roles_are_an_error()
    {
        var yaml = OneService("replica_groups:\n  - { role: replica, count: 1 }\n  - { role: replica, count: 2 }");
        var error = SingleError(Load(yaml));
        Assert.Equal("duplicate-role", error.Code);
        Assert.Equal("role 'replica' is declared twice in replica_groups", error.Message);
        Assert.Equal("services.web.replica_groups[1].role", error.Path);
        AssertAt(error, yaml, "replica, count: 2");
    }

    [Fact]
    public void Group_count_must_be_at_least_1()
    {
        var yaml = OneService("replica_groups: [{ role: primary, count: 0 }]");
        var error = SingleError(Load(yaml));
        Assert.Equal("replica group count must be at least 1", error.Message);
        AssertAt(error, yaml, "0 }");
    }

    [Fact]
    public void Fixed_replicas_that_differ_from_the_group_counts_are_a_warning()
    {
        var yaml = OneService("scale: { mode: fixed, replicas: 4 }\nreplica_groups: [{ role: primary, count: 1 }, { role: replica, count: 2 }]");
        var result = Load(yaml);
        AssertValid(result);
        var warning = SingleWarning(result);
        Assert.Equal("replica-groups", warning.Code);
        Assert.Equal("scale.replicas is 4 but replica_groups counts add up to 3; keep them equal", warning.Message);
        AssertAt(warning, yaml, "4 }");
    }

    [Fact]
    public void Matching_replicas_and_group_counts_are_clean()
    {
        AssertClean(Load(SpecExamples.D));
    }

    [Fact]
    public void Replica_group_overrides_bind()
    {
        var result = Load(OneService("replica_groups:\n  - role: gpu\n    count: 1\n    image: { name: ghcr.io/acme/app-gpu:1 }\n    command: { args: [--gpu] }\n    env: { MODE: gpu }\n    affinity: pack"));
        AssertClean(result);
        var group = result.Spec!.Services["web"].ReplicaGroups[0];
        Assert.Equal("ghcr.io/acme/app-gpu:1", group.Image!.Name.Original);
        Assert.Equal("gpu", group.Env["MODE"]);
        Assert.Equal(new Affinity(AffinityKind.Pack), group.Affinity);
    }
}
