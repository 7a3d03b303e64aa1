using System.Diagnostics;
using static ZLayer.Bench.DaemonProbe;

namespace ZLayer.Bench;

/// <summary>
/// A dockerd of the benchmark's own: private socket, data root, exec root and containerd, no
/// default bridge and no iptables rules, so a system Docker is neither used nor disturbed.
/// </summary>
public sealed class PrivateDockerd : IAsyncDisposable
{
    private readonly Process _dockerd;

    private PrivateDockerd(string directory, Process dockerd)
    {
        SocketPath = Path.Combine(directory, "docker.sock");
        _dockerd = dockerd;
    }

    public string SocketPath { get; }

    public string Host => "unix://" + SocketPath;

    public static async Task<PrivateDockerd> StartAsync(string root)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "docker")).FullName;
        var socket = Path.Combine(dir, "docker.sock");
        var dockerd = Process.Start(new ProcessStartInfo("dockerd",
            ["--host", "unix://" + socket, "--data-root", Path.Combine(dir, "data"), "--exec-root", Path.Combine(dir, "exec"), "--pidfile", Path.Combine(dir, "docker.pid"), "--bridge", "none", "--iptables=false", "--ip-masq=false"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _ = dockerd.StandardError.ReadToEndAsync();
        _ = dockerd.StandardOutput.ReadToEndAsync();
        var daemon = new PrivateDockerd(dir, dockerd);
        try
        {
            await WaitAsync(async () => (await daemon.CliAsync("version", "--format", "{{.Server.Version}}")).Trim().Length is > 0 and < 40, "dockerd answers");
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    public Task<string> CliAsync(params string[] args)
    {
        string[] all = ["-H", Host, .. args];
        return RunProgramAsync("docker", all);
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM: dockerd unmounts its data root and stops its containerd on the way out.
        await RunProgramAsync("kill", "-TERM", _dockerd.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _dockerd.WaitForExitAsync();
        _dockerd.Dispose();
    }
}
