namespace ZLayer.Control.Tests.Scheduling;

/// <summary>
/// The deployment list is served from a cache keyed by the store's revision: repeated reads with no
/// write in between must agree, and any write must show in the next read.
/// </summary>
public sealed class DeploymentViewTests : SchedulingFixture
{
    [Fact]
    public async Task EveryWriteShowsInTheNextRead()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }")));
        var first = await Control.DeploymentsAsync();
        Assert.Equal(2, Assert.Single(Assert.Single(first).Services).Desired);
        Assert.Same(first, await Control.DeploymentsAsync());

        await Control.ScaleAsync("demo", "web", 4);
        Assert.Equal(4, Assert.Single(Assert.Single(await Control.DeploymentsAsync()).Services).Desired);

        await DeployAsync(Spec("other", Service("api", "{ mode: fixed, replicas: 1 }")));
        Assert.Equal(["demo", "other"], (await Control.DeploymentsAsync()).Select(d => d.Name).Order());

        await Control.RemoveDeploymentAsync("other");
        Assert.Equal("demo", Assert.Single(await Control.DeploymentsAsync()).Name);
    }
}
