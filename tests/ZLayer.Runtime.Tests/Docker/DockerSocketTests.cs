using ZLayer.Runtime.Docker;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>Where the docker runtime looks for the engine.</summary>
public sealed class DockerSocketTests
{
    [Fact]
    public void DockerHost_NamesTheOnlySocketTried()
    {
        var candidates = DockerSocket.Candidates(name => name == "DOCKER_HOST" ? "unix:///run/user/1000/docker.sock" : null);

        Assert.Equal(["/run/user/1000/docker.sock"], candidates);
    }

    [Fact]
    public void WithoutDockerHost_DockerComesFirst_ThenRootlessAndRootfulPodman()
    {
        var candidates = DockerSocket.Candidates(name => name == "XDG_RUNTIME_DIR" ? "/run/user/1000" : null);

        Assert.Equal(["/var/run/docker.sock", "/run/user/1000/podman/podman.sock", "/run/podman/podman.sock"], candidates);
    }

    [Fact]
    public void ATcpDockerHost_IsRefusedByName()
    {
        var error = Assert.Throws<RuntimeException>(() => DockerSocket.Candidates(name => name == "DOCKER_HOST" ? "tcp://10.0.0.5:2375" : null));

        Assert.Contains("DOCKER_HOST 'tcp://10.0.0.5:2375' is not a unix:// socket", error.Message);
    }

    [Fact]
    public void Locate_PicksTheFirstSocketThatExists()
    {
        using var directory = new TempDirectory();
        var podman = Path.Combine(directory.Path, "podman", "podman.sock");
        Directory.CreateDirectory(Path.GetDirectoryName(podman)!);
        File.WriteAllText(podman, "");

        var located = DockerSocket.Locate(name => name == "XDG_RUNTIME_DIR" ? directory.Path : null);

        Assert.Equal(Path.Exists(DockerSocket.DockerDefault) ? DockerSocket.DockerDefault : podman, located);
    }
}
