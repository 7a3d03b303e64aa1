using System.Diagnostics;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>
/// A real dockerd with its own data root, exec root and containerd, and no default bridge or
/// iptables rules. Shared by every Docker test through the <see cref="DockerCollection"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerDaemon() : EngineService("dockerd")
{
    protected override string Program => "dockerd";

    protected override IEnumerable<string> Arguments() =>
    [
        "--host", "unix://" + SocketPath, "--data-root", Path.Combine(Directory, "data"), "--exec-root", Path.Combine(Directory, "exec"),
        "--pidfile", Path.Combine(Directory, "docker.pid"), "--bridge", "none", "--iptables=false", "--ip-masq=false",
    ];

    /// <summary>Runs the docker CLI against this daemon (for checks from outside our client).</summary>
    public async Task<string> CliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add("unix://" + SocketPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"docker {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
    }
}

/// <summary>Every Docker test runs against one <see cref="DockerDaemon"/>, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerDaemon>
{
    public const string Name = "docker";
}
