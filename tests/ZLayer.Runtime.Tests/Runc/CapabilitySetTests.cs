using ZLayer.Runtime.Runc.Bundle;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class CapabilitySetTests
{
    [Fact]
    public void Default_is_dockers_set_in_kernel_order()
    {
        var caps = CapabilitySet.Resolve("web", false, [], []);

        Assert.Equal(14, caps.Count);
        Assert.Equal(CapabilitySet.Default.Order(StringComparer.Ordinal), caps.Order(StringComparer.Ordinal));
        Assert.Equal("CAP_CHOWN", caps[0]);
    }

    [Fact]
    public void Adds_and_drops_accept_any_case_with_or_without_prefix()
    {
        var caps = CapabilitySet.Resolve("web", false, ["net_admin", "CAP_SYS_PTRACE"], ["cap_net_raw", "Mknod"]);

        Assert.Contains("CAP_NET_ADMIN", caps);
        Assert.Contains("CAP_SYS_PTRACE", caps);
        Assert.DoesNotContain("CAP_NET_RAW", caps);
        Assert.DoesNotContain("CAP_MKNOD", caps);
        Assert.Equal(14, caps.Count);
    }

    [Fact]
    public void Drop_all_then_add_leaves_exactly_the_adds_and_add_wins_over_drop()
    {
        Assert.Equal(["CAP_NET_BIND_SERVICE"], CapabilitySet.Resolve("web", false, ["NET_BIND_SERVICE"], ["ALL"]));
        Assert.Contains("CAP_CHOWN", CapabilitySet.Resolve("web", false, ["CHOWN"], ["CHOWN"]));
        Assert.Empty(CapabilitySet.Resolve("web", false, [], ["all"]));
    }

    [Fact]
    public void Add_all_and_privileged_give_every_capability_the_daemon_holds()
    {
        Assert.Equal(CapabilitySet.All, CapabilitySet.Resolve("web", false, ["ALL"], []));
        Assert.Equal(CapabilitySet.All, CapabilitySet.Resolve("web", true, [], ["ALL"]));
        var held = new HashSet<string>(CapabilitySet.All.Where(c => c != "CAP_SYS_RESOURCE"), StringComparer.Ordinal);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", CapabilitySet.Resolve("web", true, [], [], held));
        Assert.Equal(40, CapabilitySet.Resolve("web", false, ["ALL"], [], held).Count);
    }

    [Fact]
    public void A_capability_the_daemon_lacks_cannot_be_added()
    {
        var held = new HashSet<string>(CapabilitySet.Default, StringComparer.Ordinal);

        var error = Assert.Throws<RuntimeException>(() => CapabilitySet.Resolve("web", false, ["SYS_ADMIN"], [], held));
        Assert.Equal("service 'web': capabilities: CAP_SYS_ADMIN cannot be granted: the daemon on this node does not hold it", error.Message);
    }

    [Theory]
    [InlineData("NET_ADMINS", "capabilities")]
    [InlineData("CAP_", "capabilities")]
    public void Unknown_names_are_errors(string name, string field)
    {
        var error = Assert.Throws<RuntimeException>(() => CapabilitySet.Resolve("web", false, [name], []));

        Assert.Equal($"service 'web': {field}: unknown capability '{name}' (expected a name such as NET_ADMIN or CAP_NET_ADMIN, or ALL)", error.Message);
    }

    [Fact]
    public void Unknown_drops_are_errors_even_when_privileged()
    {
        var error = Assert.Throws<RuntimeException>(() => CapabilitySet.Resolve("web", true, [], ["FLY"]));

        Assert.StartsWith("service 'web': cap_drop: unknown capability 'FLY'", error.Message, StringComparison.Ordinal);
    }
}
