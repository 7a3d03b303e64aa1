namespace ZLayer.Runtime.Tests.Docker;

/// <summary>The shared runtime contract, run against containers of a real dockerd (started by the test run on a private socket).</summary>
[Collection(DockerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerRuntimeContractTests(DockerDaemon daemon) : RuntimeContract
{
    private readonly TempDirectory _data = new();

    protected override IContainerRuntime CreateRuntime() => daemon.NewRuntime(_data.Path);

    protected override ReplicaLaunchSpec ShellReplica(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null) =>
        daemon.Shell(replicaId, script, environment);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
