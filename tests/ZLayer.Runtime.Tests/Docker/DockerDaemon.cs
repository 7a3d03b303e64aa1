using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZLayer.Images;
using ZLayer.Runtime.Docker;
using ZLayer.Runtime.Tests.Runc;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Registry;

namespace ZLayer.Runtime.Tests.Docker;

/// <summary>
/// A real dockerd of the test run's own, on a private socket with its own data root, exec root
/// and containerd, and no default bridge or iptables rules (the host's Docker, if any, is never
/// touched), plus a local docker-registry holding a busybox image the engine pulls from
/// 127.0.0.1 (loopback registries need no TLS). Shared by every Docker test through the
/// <see cref="DockerCollection"/>; stopping it removes whatever containers and networks are left.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerDaemon : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private System.Diagnostics.Process? _dockerd;
    private RegistryServer? _registry;

    /// <summary>Short, because a Unix socket path has at most 107 bytes.</summary>
    public string Directory { get; } = Path.Combine("/tmp", "zl-dockerd-" + Guid.NewGuid().ToString("N")[..8]);

    public string SocketPath => Path.Combine(Directory, "docker.sock");

    public DockerEngine Engine { get; private set; } = null!;

    /// <summary>The busybox image in the local registry, as replicas name it.</summary>
    public ImageReference Busybox { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        _registry = await RegistryServer.StartAnonymousAsync();
        Busybox = ImageReference.Parse($"{_registry.Host}/zlayer-test/busybox:1");
        await PushBusyboxAsync();

        var start = new ProcessStartInfo("dockerd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--host", "unix://" + SocketPath, "--data-root", Path.Combine(Directory, "data"), "--exec-root", Path.Combine(Directory, "exec"),
            "--pidfile", Path.Combine(Directory, "docker.pid"), "--bridge", "none", "--iptables=false", "--ip-masq=false",
        })
        {
            start.ArgumentList.Add(arg);
        }

        _dockerd = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("dockerd did not start");
        _dockerd.OutputDataReceived += (_, e) => Log(e.Data);
        _dockerd.ErrorDataReceived += (_, e) => Log(e.Data);
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_dockerd.HasExited)
            {
                throw new InvalidOperationException($"dockerd exited ({_dockerd.ExitCode}) while starting:\n{ReadLog()}");
            }

            try
            {
                Engine = await DockerEngine.ConnectAsync(SocketPath);
                return;
            }
            catch (RuntimeException) when (clock.Elapsed < StartTimeout)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>A runtime of a scope no other test uses, over the shared engine.</summary>
    public DockerRuntime NewRuntime(string dataDirectory, string? scope = null) =>
        new(Engine, new ZLayer.Runtime.Runc.NamedVolumes(Path.Combine(dataDirectory, "volumes")), scope: scope ?? NewScope(), ownsEngine: false);

    public static string NewScope() => "zlt" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A launch spec for <c>sh -c SCRIPT</c> in the registry's busybox, pulled when missing.</summary>
    public ReplicaLaunchSpec Shell(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null, Action<ServiceSpec>? configure = null) =>
        BusyboxImage.Shell(replicaId, script, environment, service =>
        {
            service.Image = new ImageSpec { Name = Busybox, PullPolicy = PullPolicy.IfNotPresent };
            configure?.Invoke(service);
        });

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

    public string ReadLog()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async Task DisposeAsync()
    {
        if (_dockerd is { HasExited: false })
        {
            try
            {
                foreach (var id in (await CliAsync("ps", "-aq")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    await CliAsync("rm", "-f", "-v", id);
                }

                foreach (var network in (await CliAsync("network", "ls", "-q", "--filter", "type=custom")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    await CliAsync("network", "rm", network);
                }
            }
            finally
            {
                // SIGTERM: dockerd stops its containerd and unmounts its data root on the way out.
                await Signal(_dockerd.Id, "TERM");
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _dockerd.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _dockerd.Kill(entireProcessTree: true);
                    await _dockerd.WaitForExitAsync();
                }
            }
        }

        Engine?.Dispose();
        _dockerd?.Dispose();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Something dockerd left mounted; the directory is uniquely named under /tmp.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task PushBusyboxAsync()
    {
        using var scratch = new TempDirectory();
        using var images = new ImageService(Path.Combine(scratch.Path, "data"), dockerConfigPath: Path.Combine(scratch.Path, "none.json"));
        var record = await BusyboxImage.ImportAsync(images, scratch.Path);
        await images.PushAsync(record, Busybox);
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static async Task Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }
}

/// <summary>Every Docker test runs against one <see cref="DockerDaemon"/>, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerDaemon>
{
    public const string Name = "docker";
}
