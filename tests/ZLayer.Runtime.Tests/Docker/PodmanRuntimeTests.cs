namespace ZLayer.Runtime.Tests.Docker;

/// <summary>The docker runtime's own behaviour against Podman's Docker-compatible service.</summary>
[Collection(PodmanCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodmanRuntimeTests(PodmanService podman) : EngineRuntimeTests(podman);
