using ZLayer.TestImages.Engines;
using ZLayer.TestImages.Registry;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>A real dockerd of the test run's own (<see cref="DockerdServer"/>), shared by every Docker test through the <see cref="DockerCollection"/>.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerDaemon : EngineService
{
    // Loopback registries are insecure-allowed by dockerd without being listed.
    protected override async Task<EngineServer> StartServerAsync(RegistryServer registry) => await DockerdServer.StartAsync();
}

/// <summary>Every Docker test runs against one <see cref="DockerDaemon"/>, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerDaemon>
{
    public const string Name = "docker";
}
