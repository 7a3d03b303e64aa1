using ZLayer.Images;
using ZLayer.Images.Registry;
using ZLayer.Runtime.Docker;
using ZLayer.Runtime.Tests.Runc;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Registry;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>
/// The docker runtime's own behaviour against a real dockerd, plus what only Docker does this
/// way: OOM kills reported (Podman 4.3 on cgroup v1 reports the 137 but not the OOM), pulls from
/// any loopback registry without listing it, with its wording of a missing login.
/// </summary>
[Collection(DockerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerRuntimeTests(DockerDaemon daemon) : EngineRuntimeTests(daemon)
{
    [Fact]
    public async Task AReplicaOverItsMemoryLimit_IsReportedAsKilledForOutOfMemory()
    {
        var handle = await StartAsync(Replica("hog", 0, "a=0123456789; while :; do a=\"$a$a\"; done", configure: s => s.Resources = new ResourcesSpec
        {
            Memory = new MemorySize(16L << 20, "16Mi"),
            MemorySwap = "16Mi",
        }));

        var state = await Runtime.WaitAsync(handle).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RuntimeStatus.Exited, state.Status);
        Assert.True(state.OomKilled, $"exit {state.ExitCode}, message {state.Message}");
        Assert.Equal(137, state.ExitCode);
        Assert.Contains("out of memory", state.Message);
    }

    [Fact]
    public async Task Pulls_UseTheNodesRegistryLogin_AndAFailedPullSaysWhy()
    {
        const string user = "puller";
        const string password = "s3cret-pw";
        await using var registry = await RegistryServer.StartBasicAuthAsync(user, password);
        var image = ImageReference.Parse($"{registry.Host}/private/busybox:1");
        var login = RegistrySettings.Empty.With(registry.Host, h => h with { Credential = new RegistryCredential(user, password) });
        using (var scratch = new TempDirectory())
        using (var images = new ImageService(Path.Combine(scratch.Path, "data"), _ => login, dockerConfigPath: Path.Combine(scratch.Path, "none.json")))
        {
            await images.PushAsync(await BusyboxImage.ImportAsync(images, scratch.Path), image);
        }

        var spec = Replica("private", 0, "echo pulled", configure: s => s.Image = new ImageSpec { Name = image, PullPolicy = PullPolicy.Always });
        var anonymous = await Assert.ThrowsAsync<RuntimeException>(() => Runtime.CreateAsync(spec));
        Assert.Contains($"pulling image {image}", anonymous.Message);
        Assert.Contains("no basic auth credentials", anonymous.Message);

        using var authenticated = new DockerRuntime(daemon.Engine, Runtime.Volumes, () => login, Scope, ownsEngine: false);
        var handle = await authenticated.CreateAsync(spec);
        await authenticated.StartAsync(handle);
        await authenticated.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        Assert.Contains(await ReadLogsAsync(handle), l => l.Text == "pulled");
    }
}
