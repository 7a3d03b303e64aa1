using ZLayer.Images;
using ZLayer.Runtime.Runc;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>The shared runtime contract, run against real runc containers under conmon (as root, as in CI).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RuncRuntimeContractTests : RuntimeContract
{
    private readonly TempDirectory _data = new();
    private ImageService? _images;

    protected override IContainerRuntime CreateRuntime()
    {
        _images = new ImageService(System.IO.Path.Combine(_data.Path, "data"), dockerConfigPath: System.IO.Path.Combine(_data.Path, "none.json"));
        return new RuncRuntime(System.IO.Path.Combine(_data.Path, "data"), _images, network: null, TimeProvider.System);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await BusyboxImage.ImportAsync(_images!, _data.Path);
    }

    protected override ReplicaLaunchSpec ShellReplica(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null) =>
        BusyboxImage.Shell(replicaId, script, environment);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _images?.Dispose();
        _data.Dispose();
    }
}
