using ZLayer.Runtime.Process;

namespace ZLayer.Runtime.Tests.Process;

/// <summary>The shared runtime contract, run against host processes.</summary>
public sealed class ProcessRuntimeContractTests : RuntimeContract
{
    private readonly TempDirectory _state = new();

    protected override IContainerRuntime CreateRuntime() => new ProcessRuntime(_state.Path, TimeProvider.System);

    protected override ReplicaLaunchSpec ShellReplica(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null) =>
        ProcessSpecs.Spec(replicaId, ["sh", "-c", script], environment);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _state.Dispose();
    }
}
