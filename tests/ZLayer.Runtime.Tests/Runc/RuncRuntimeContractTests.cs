namespace ZLayer.Runtime.Tests.Runc;

/// <summary>The shared runtime contract, run against real runc containers under conmon (as root, as in CI).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RuncRuntimeContractTests : RuntimeContract
{
    private readonly RuncNode _node = new();

    protected override IContainerRuntime CreateRuntime() => _node.Runtime;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _node.ImportBusyboxAsync();
    }

    protected override ReplicaLaunchSpec ShellReplica(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null) =>
        BusyboxImage.Shell(replicaId, script, environment);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _node.Dispose();
    }
}
