using ZLayer.Runtime.Runc.Bundle;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class SysctlsTests
{
    [Fact]
    public void Namespaced_keys_pass_with_slashes_read_as_dots()
    {
        var result = Sysctls.Resolve("web", new Dictionary<string, string>
        {
            ["net.ipv4.ip_forward"] = "1",
            ["net/core/somaxconn"] = "1024",
            ["kernel.shmmax"] = "68719476736",
            ["kernel.msgmax"] = "65536",
            ["kernel.sem"] = "250 32000 100 128",
            ["fs.mqueue.msg_max"] = "100",
        }, hostNetwork: false, hostIpc: false);

        Assert.Equal(["net.ipv4.ip_forward", "net.core.somaxconn", "kernel.shmmax", "kernel.msgmax", "kernel.sem", "fs.mqueue.msg_max"], result.Select(r => r.Key));
    }

    [Theory]
    [InlineData("kernel.pid_max")]
    [InlineData("vm.swappiness")]
    [InlineData("kernel.semx")]
    [InlineData("fs.file-max")]
    [InlineData("kernel.hostname")]
    public void Node_wide_keys_are_refused_by_name(string key)
    {
        var error = Assert.Throws<RuntimeException>(() => Sysctls.Resolve("web", new Dictionary<string, string> { [key] = "1" }, false, false));

        Assert.Equal($"service 'web': sysctls: '{key}' is not namespaced: it would change the whole node (allowed: net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)", error.Message);
    }

    [Fact]
    public void Net_keys_with_the_host_network_and_ipc_keys_with_the_host_ipc_are_refused()
    {
        Assert.Contains("uses the host's network", Assert.Throws<RuntimeException>(() =>
            Sysctls.Resolve("web", new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" }, true, false)).Message, StringComparison.Ordinal);
        Assert.Contains("host's IPC namespace", Assert.Throws<RuntimeException>(() =>
            Sysctls.Resolve("web", new Dictionary<string, string> { ["kernel.shmmax"] = "1" }, false, true)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("net..x")]
    [InlineData("net.ipv4.ip forward")]
    [InlineData("")]
    public void Malformed_keys_are_refused(string key)
    {
        var error = Assert.Throws<RuntimeException>(() => Sysctls.Resolve("web", new Dictionary<string, string> { [key] = "1" }, false, false));

        Assert.Equal($"service 'web': sysctls: '{key}' is not a sysctl name such as net.ipv4.ip_forward", error.Message);
    }
}
