using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class DeviceRulesTests
{
    [Fact]
    public void A_host_device_is_stated_for_type_and_numbers()
    {
        var devices = DeviceRules.Resolve("vm", [new DeviceSpec { Path = "/dev/null", Write = false }, new DeviceSpec { Path = "//dev/./zero", Mknod = true }]);

        Assert.Equal(new ContainerDevice("/dev/null", FileKind.CharDevice, 1, 3, devices[0].FileMode, 0, 0, "r"), devices[0]);
        Assert.Equal(("/dev/zero", "c", 1u, 5u, "rwm"), (devices[1].Path, devices[1].Type, devices[1].Major, devices[1].Minor, devices[1].Access));
    }

    [Fact]
    public void Missing_non_device_and_duplicate_paths_are_precise_errors()
    {
        Assert.Equal("service 'vm': device '/dev/kvm-not-here' does not exist on this node",
            Assert.Throws<RuntimeException>(() => DeviceRules.Resolve("vm", [new DeviceSpec { Path = "/dev/kvm-not-here" }])).Message);
        Assert.Equal("service 'vm': device '/etc/passwd' is not a character or block device on this node (Regular)",
            Assert.Throws<RuntimeException>(() => DeviceRules.Resolve("vm", [new DeviceSpec { Path = "/etc/passwd" }])).Message);
        Assert.Equal("service 'vm': device '/dev/null' is listed twice",
            Assert.Throws<RuntimeException>(() => DeviceRules.Resolve("vm", [new DeviceSpec { Path = "/dev/null" }, new DeviceSpec { Path = "/dev/null" }])).Message);
        Assert.Equal("service 'vm': device '/dev/null' allows neither read, write nor mknod",
            Assert.Throws<RuntimeException>(() => DeviceRules.Resolve("vm", [new DeviceSpec { Path = "/dev/null", Read = false, Write = false }])).Message);
        Assert.Equal("service 'vm': devices path 'dev/null' must be an absolute path inside the container",
            Assert.Throws<RuntimeException>(() => DeviceRules.Resolve("vm", [new DeviceSpec { Path = "dev/null" }])).Message);
    }

    [Fact]
    public void The_cgroup_denies_all_then_allows_the_standard_devices_and_the_listed_ones()
    {
        var listed = DeviceRules.Resolve("vm", [new DeviceSpec { Path = "/dev/zero", Write = false }]);

        var rules = DeviceRules.CgroupRules(false, listed).Select(r => Rule((JsonObject)r!)).ToList();

        Assert.Equal("deny a *:* rwm", rules[0]);
        Assert.Contains("allow c *:* m", rules);
        Assert.Contains("allow b *:* m", rules);
        foreach (var standard in new[] { "1:3", "1:5", "1:7", "1:8", "1:9", "5:0", "5:1", "5:2", "136:*" })
        {
            Assert.Contains($"allow c {standard} rwm", rules);
        }

        Assert.Equal("allow c 1:5 r", rules[^1]);
        Assert.Equal(["allow a *:* rwm"], DeviceRules.CgroupRules(true, listed).Select(r => Rule((JsonObject)r!)));
    }

    [Fact]
    public void Privileged_gets_the_hosts_devices_except_the_containers_own_pts_console_and_ptmx()
    {
        var host = DeviceRules.HostDevices();

        Assert.Contains(host, d => d.Path == "/dev/null" && d.Major == 1 && d.Minor == 3);
        Assert.DoesNotContain(host, d => d.Path.StartsWith("/dev/pts/", StringComparison.Ordinal) || d.Path is "/dev/console" or "/dev/ptmx");
    }

    private static string Rule(JsonObject rule) =>
        $"{((bool)rule["allow"]! ? "allow" : "deny")} {(string?)rule["type"] ?? "a"} {rule["major"]?.ToString() ?? "*"}:{rule["minor"]?.ToString() ?? "*"} {(string)rule["access"]!}";
}
