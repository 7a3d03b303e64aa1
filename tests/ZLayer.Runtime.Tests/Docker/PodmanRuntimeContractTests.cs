namespace ZLayer.Runtime.Tests.Docker;

/// <summary>The shared runtime contract, run by the docker runtime against Podman's Docker-compatible service.</summary>
[Collection(PodmanCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodmanRuntimeContractTests(PodmanService podman) : RuntimeContract
{
    private readonly TempDirectory _data = new();

    protected override IContainerRuntime CreateRuntime() => podman.NewRuntime(_data.Path);

    protected override ReplicaLaunchSpec ShellReplica(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null) =>
        podman.Shell(replicaId, script, environment);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
