using ZLayer.Networking.Namespaces;
using ZLayer.Networking.Tests.Support;

namespace ZLayer.Networking.Tests.Namespaces;

public sealed class NetworkNamespacesTests
{
    private readonly NetworkNamespaces _namespaces = new();

    [Fact]
    public async Task A_created_namespace_is_listed_usable_and_deleted_and_deleting_again_is_fine()
    {
        var replica = "t" + Guid.NewGuid().ToString("N")[..10];
        var ns = await _namespaces.CreateAsync(replica);
        try
        {
            Assert.Equal("zlayer-" + replica, ns.Name);
            Assert.Equal("/run/netns/zlayer-" + replica, ns.Path);
            Assert.Contains(ns, _namespaces.List());
            // A namespace of its own: only lo, and down.
            var links = await Shell.OutputAsync("ip", "netns", "exec", ns.Name, "ip", "-o", "link");
            Assert.Single(links.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("lo:", links);
        }
        finally
        {
            await _namespaces.DeleteAsync(replica);
        }

        Assert.False(File.Exists(ns.Path));
        Assert.DoesNotContain(ns, _namespaces.List());
        await _namespaces.DeleteAsync(replica);
    }

    [Fact]
    public async Task Creating_a_namespace_that_exists_is_refused()
    {
        var replica = "t" + Guid.NewGuid().ToString("N")[..10];
        await _namespaces.CreateAsync(replica);
        try
        {
            var error = await Assert.ThrowsAsync<NetworkNamespaceException>(() => _namespaces.CreateAsync(replica));
            Assert.Equal($"network namespace zlayer-{replica} already exists at /run/netns/zlayer-{replica}", error.Message);
        }
        finally
        {
            await _namespaces.DeleteAsync(replica);
        }
    }

    [Fact]
    public void Only_namespaces_with_our_prefix_are_listed()
    {
        Assert.All(_namespaces.List(), ns => Assert.StartsWith(NetworkNamespaces.Prefix, ns.Name));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("../etc", "'/' is not a letter, digit")]
    [InlineData("a b", "' ' is not a letter, digit")]
    public async Task A_replica_id_that_cannot_name_a_namespace_is_refused(string replica, string expected)
    {
        var error = await Assert.ThrowsAsync<NetworkNamespaceException>(() => _namespaces.CreateAsync(replica));
        Assert.Contains(expected, error.Message);
    }
}
