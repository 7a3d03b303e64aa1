using ZLayer.TestImages.Engines;
using ZLayer.TestImages.Registry;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>Podman's Docker-compatible service of the test run's own (<see cref="PodmanServer"/>), shared through the <see cref="PodmanCollection"/>.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodmanService : EngineService
{
    protected override async Task<EngineServer> StartServerAsync(RegistryServer registry) => await PodmanServer.StartAsync(registry.Host);
}

/// <summary>Every Podman test runs against one <see cref="PodmanService"/>, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PodmanCollection : ICollectionFixture<PodmanService>
{
    public const string Name = "podman";
}
