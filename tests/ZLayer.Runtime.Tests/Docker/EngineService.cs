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
/// A real Docker-API engine of the test run's own, on a private socket with its own storage (the
/// machine's own engine, if any, is never touched), plus a local docker-registry holding a busybox
/// image the engine pulls from 127.0.0.1. Stopping it removes whatever containers and networks
/// are left, then the engine, then its directory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class EngineService : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private System.Diagnostics.Process? _engine;
    private RegistryServer? _registry;

    protected EngineService(string name)
    {
        // Short, because a Unix socket path has at most 107 bytes.
        Directory = Path.Combine("/tmp", $"zl-{name}-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "engine.sock");

    public DockerEngine Engine { get; private set; } = null!;

    public RegistryServer Registry => _registry ?? throw new InvalidOperationException("not started");

    /// <summary>The busybox image in the local registry, as replicas name it.</summary>
    public ImageReference Busybox { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        _registry = await RegistryServer.StartAnonymousAsync();
        Busybox = ImageReference.Parse($"{_registry.Host}/zlayer-test/busybox:1");
        await PushBusyboxAsync();

        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in Arguments())
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in Environment())
        {
            start.Environment[key] = value;
        }

        _engine = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"{Program} did not start");
        _engine.OutputDataReceived += (_, e) => Log(e.Data);
        _engine.ErrorDataReceived += (_, e) => Log(e.Data);
        _engine.BeginOutputReadLine();
        _engine.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_engine.HasExited)
            {
                throw new InvalidOperationException($"{Program} exited ({_engine.ExitCode}) while starting:\n{ReadLog()}");
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

    /// <summary>A runtime of a scope no other test uses (unless given), over the shared engine.</summary>
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

    public string ReadLog()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async Task DisposeAsync()
    {
        if (_engine is { HasExited: false })
        {
            try
            {
                await RemoveLeftoversAsync();
            }
            finally
            {
                await Signal(_engine.Id, "TERM");
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _engine.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _engine.Kill(entireProcessTree: true);
                    await _engine.WaitForExitAsync();
                }
            }
        }

        Engine?.Dispose();
        _engine?.Dispose();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        await UnmountBelowAsync(Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Something the engine left busy; the directory is uniquely named under /tmp.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    protected abstract string Program { get; }

    protected abstract IEnumerable<string> Arguments();

    protected virtual IEnumerable<KeyValuePair<string, string>> Environment() => [];

    private async Task RemoveLeftoversAsync()
    {
        var containers = await Engine.SendAsync(HttpMethod.Get, "/containers/json?all=1", null, "listing leftovers", CancellationToken.None);
        foreach (var container in containers.Body?.AsArray() ?? [])
        {
            await Engine.SendAsync(HttpMethod.Delete, $"/containers/{container!["Id"]}?force=1&v=1", null, "removing a leftover", CancellationToken.None, System.Net.HttpStatusCode.NotFound);
        }

        var networks = await Engine.SendAsync(HttpMethod.Get, $"/networks?filters={DockerLabels.Filter()}", null, "listing leftover networks", CancellationToken.None);
        foreach (var network in networks.Body?.AsArray() ?? [])
        {
            if (network?["Labels"]?[DockerLabels.Scope] is not null)
            {
                await Engine.SendAsync(HttpMethod.Delete, $"/networks/{network["Id"]}", null, "removing a leftover network", CancellationToken.None, System.Net.HttpStatusCode.NotFound);
            }
        }
    }

    private async Task PushBusyboxAsync()
    {
        using var scratch = new TempDirectory();
        using var images = new ImageService(Path.Combine(scratch.Path, "data"), dockerConfigPath: Path.Combine(scratch.Path, "none.json"));
        var record = await BusyboxImage.ImportAsync(images, scratch.Path);
        await images.PushAsync(record, Busybox);
    }

    /// <summary>Storage mounts an engine leaves behind when it stops (Podman keeps its overlay mounted).</summary>
    private static async Task UnmountBelowAsync(string directory)
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m.StartsWith(directory + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length);
        foreach (var mount in mounts)
        {
            using var umount = System.Diagnostics.Process.Start("umount", ["-l", mount]);
            await umount.WaitForExitAsync();
        }
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
