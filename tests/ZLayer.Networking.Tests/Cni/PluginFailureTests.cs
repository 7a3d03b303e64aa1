using ZLayer.Networking.Cni;
using ZLayer.Networking.Namespaces;
using ZLayer.Networking.Tests.Support;

namespace ZLayer.Networking.Tests.Cni;

public sealed class PluginFailureTests : IDisposable
{
    private readonly string _plugins = Path.Combine(Path.GetTempPath(), "zlayer-cni-plugins-" + Guid.NewGuid().ToString("N")[..8]);

    public PluginFailureTests() => Directory.CreateDirectory(_plugins);

    public void Dispose() => Directory.Delete(_plugins, recursive: true);

    [Fact]
    public async Task An_exhausted_subnet_fails_naming_bridge_and_ADD_and_the_failed_attach_leaves_nothing()
    {
        // A /30 holds the gateway and one replica.
        await using var net = new TestNetwork(prefixLength: 30);
        await net.AttachNewAsync();
        var ns = await net.CreateNamespaceAsync();
        var containerId = TestNetwork.NewContainerId();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => net.AttachAsync(containerId, ns.Path, []));

        Assert.Equal("bridge", error.Plugin);
        Assert.Equal(CniCommand.Add, error.Command);
        Assert.Equal(containerId, error.ContainerId);
        Assert.Contains("no IP addresses available", error.Message);
        Assert.StartsWith($"CNI plugin 'bridge' ADD for container {containerId} on network {net.Options.NetworkName} failed: CNI error {error.Code}", error.Message);
        Assert.Null(error.RollbackFailure);
        await AssertNothingAttachedAsync(net, ns, containerId);
    }

    [Fact]
    public async Task A_missing_plugin_fails_before_anything_is_done_naming_the_plugin_and_ADD()
    {
        LinkRealPlugins("bridge", "host-local", "loopback");
        await using var net = new TestNetwork(pluginDirectories: [_plugins]);
        var ns = await net.CreateNamespaceAsync();
        var containerId = TestNetwork.NewContainerId();

        var error = await Assert.ThrowsAsync<CniPluginNotFoundException>(() => net.AttachAsync(containerId, ns.Path, []));

        Assert.Equal("portmap", error.Plugin);
        Assert.Equal(CniCommand.Add, error.Command);
        Assert.Equal([_plugins], error.SearchedDirectories);
        Assert.Contains($"no executable 'portmap' in {_plugins}", error.Message);
        await AssertNothingAttachedAsync(net, ns, containerId);
    }

    [Fact]
    public async Task A_plugin_error_document_becomes_an_exception_with_its_code_message_details_and_stderr()
    {
        FakePortmap("""
            printf '%s' '{"cniVersion":"1.0.0","code":107,"msg":"no free host port","details":"range 30000-30010 is used up"}'
            echo "portmap: giving up" >&2
            exit 1
            """);
        await using var net = new TestNetwork(pluginDirectories: [_plugins]);
        var ns = await net.CreateNamespaceAsync();
        var containerId = TestNetwork.NewContainerId();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => net.AttachAsync(containerId, ns.Path, []));

        Assert.Equal("portmap", error.Plugin);
        Assert.Equal(CniCommand.Add, error.Command);
        Assert.Equal(107, error.Code);
        Assert.Equal("no free host port", error.PluginMessage);
        Assert.Equal("range 30000-30010 is used up", error.Details);
        Assert.Equal("portmap: giving up", error.Stderr);
        Assert.Equal(
            $"CNI plugin 'portmap' ADD for container {containerId} on network {net.Options.NetworkName} failed: CNI error 107 (plugin-specific error): no free host port: range 30000-30010 is used up; stderr: portmap: giving up",
            error.Message);
        // bridge had succeeded: the rollback DEL released its address and veth.
        await AssertNothingAttachedAsync(net, ns, containerId);
    }

    [Fact]
    public async Task A_plugin_failing_without_an_error_document_is_a_protocol_violation_naming_its_exit_status()
    {
        FakePortmap("""
            echo 'panic: runtime error: index out of range'
            echo 'goroutine 1 [running]' >&2
            exit 2
            """);
        await using var net = new TestNetwork(pluginDirectories: [_plugins]);
        var ns = await net.CreateNamespaceAsync();
        var containerId = TestNetwork.NewContainerId();

        var error = await Assert.ThrowsAsync<CniInvalidOutputException>(() => net.AttachAsync(containerId, ns.Path, []));

        Assert.Equal("portmap", error.Plugin);
        Assert.Equal(CniCommand.Add, error.Command);
        Assert.Contains("exited with status 2 without a CNI error document", error.Message);
        Assert.Contains("stdout: panic: runtime error", error.Message);
        Assert.Contains("stderr: goroutine 1 [running]", error.Message);
        await AssertNothingAttachedAsync(net, ns, containerId);
    }

    [Fact]
    public async Task A_result_that_breaks_the_specification_is_rejected_naming_the_field()
    {
        FakePortmap("""
            printf '%s' '{"cniVersion":"1.0.0","ips":[{"address":"banana"}]}'
            """);
        await using var net = new TestNetwork(pluginDirectories: [_plugins]);
        var ns = await net.CreateNamespaceAsync();
        var containerId = TestNetwork.NewContainerId();

        var error = await Assert.ThrowsAsync<CniInvalidOutputException>(() => net.AttachAsync(containerId, ns.Path, []));

        Assert.Equal("portmap", error.Plugin);
        Assert.Contains("result.ips[0].address: 'banana' is not an address in CIDR notation", error.Message);
        await AssertNothingAttachedAsync(net, ns, containerId);
    }

    [Fact]
    public async Task A_hanging_plugin_is_killed_at_the_time_limit_and_the_attach_undone()
    {
        FakePortmap("exec sleep 300");
        await using var net = new TestNetwork(pluginDirectories: [_plugins], pluginTimeout: TimeSpan.FromSeconds(1));
        var ns = await net.CreateNamespaceAsync();
        var containerId = TestNetwork.NewContainerId();

        var error = await Assert.ThrowsAsync<CniPluginTimeoutException>(() => net.AttachAsync(containerId, ns.Path, []));

        Assert.Equal("portmap", error.Plugin);
        Assert.Equal(CniCommand.Add, error.Command);
        Assert.Equal(TimeSpan.FromSeconds(1), error.Timeout);
        Assert.Contains("did not finish within 1s and was killed", error.Message);
        await AssertNothingAttachedAsync(net, ns, containerId);
    }

    /// <summary>The real bridge, host-local and loopback beside a scripted portmap that answers ADD as given and every other command with success.</summary>
    private void FakePortmap(string onAdd)
    {
        LinkRealPlugins("bridge", "host-local", "loopback");
        var script = Path.Combine(_plugins, "portmap");
        File.WriteAllText(script, $"""
            #!/bin/sh
            cat >/dev/null
            if [ "$CNI_COMMAND" != ADD ]; then exit 0; fi
            {onAdd}

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private void LinkRealPlugins(params string[] names)
    {
        foreach (var name in names)
        {
            File.CreateSymbolicLink(Path.Combine(_plugins, name), Path.Combine("/usr/lib/cni", name));
        }
    }

    private static async Task AssertNothingAttachedAsync(TestNetwork net, NetworkNamespace ns, string containerId)
    {
        Assert.Null(net.Network.FindAttachment(containerId));
        Assert.Empty(Directory.Exists(net.Network.CacheDirectory) ? Directory.GetFiles(net.Network.CacheDirectory, $"*:{containerId}:*") : []);
        Assert.DoesNotContain(HostState.Reservations(net.Network.IpamDirectory, net.Options.NetworkName), r => r.Contains(containerId));
        Assert.NotEqual(0, (await Shell.InNamespaceAsync(ns.Name, "ip", "link", "show", "eth0")).ExitCode);
        Assert.Empty(await HostState.NatRulesForAsync(containerId));
    }
}
