using System.Diagnostics;

namespace ZLayer.TestImages.Engines;

/// <summary>A real dockerd with its own data root, exec root and containerd, and no default bridge or iptables rules.</summary>
public sealed class DockerdServer : EngineServer
{
    private DockerdServer()
        : base("dockerd")
    {
    }

    public static Task<DockerdServer> StartAsync() => LaunchAsync(new DockerdServer());

    /// <summary>Runs the docker CLI against this daemon; a failure throws with its output.</summary>
    public async Task<string> CliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add(Host);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"docker {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
    }

    protected override string Program => "dockerd";

    protected override IEnumerable<string> Arguments() =>
    [
        "--host", Host, "--data-root", Path.Combine(Directory, "data"), "--exec-root", Path.Combine(Directory, "exec"),
        "--pidfile", Path.Combine(Directory, "docker.pid"), "--bridge", "none", "--iptables=false", "--ip-masq=false",
    ];
}
