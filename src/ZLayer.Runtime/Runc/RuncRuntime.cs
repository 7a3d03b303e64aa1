using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using ZLayer.Images;
using ZLayer.Images.Manifests;
using ZLayer.Runtime.Exec;
using ZLayer.Runtime.Process;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// Runs replicas as OCI containers with runc, each under its own conmon: the image's cached layers
/// as an overlayfs rootfs, a bundle whose config.json the <see cref="RuntimeConfigBuilder"/> writes,
/// a network namespace from <see cref="IContainerNetwork"/>. conmon outlives the daemon, records
/// the exit code and OOM kills and writes the log, so a restarted daemon re-adopts running
/// containers and reports exited ones with their real exit code (<see cref="ListAsync"/>).
/// See docs/ARCHITECTURE.md, "The runc runtime".
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RuncRuntime : IContainerRuntime, IInteractiveExec, IDisposable
{
    private const string CgroupParent = "/zlayer";
    private const long DefaultLogSizeMax = 100L * 1024 * 1024;
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);

    private readonly string _containersRoot;
    private readonly string _overlayRoot;
    private readonly ImageService _images;
    private readonly IContainerNetwork? _network;
    private readonly NodeResolver? _resolver;
    private readonly RuncCli _runc;
    private readonly Conmon _conmon;
    private readonly TimeProvider _time;
    private readonly ExitSignals _exits;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <param name="dataDirectory">The node's data directory: containers/, overlay/, volumes/ and runc/ go under it.</param>
    /// <param name="network">Connects containers; null gives each one an isolated network namespace (loopback only).</param>
    /// <param name="resolver">The node's DNS server for containers on the container network; null: the host's resolvers.</param>
    public RuncRuntime(string dataDirectory, ImageService images, IContainerNetwork? network, TimeProvider time, string? runcBinary = null, string? conmonBinary = null, Action<string>? log = null, NodeResolver? resolver = null)
    {
        _resolver = resolver;
        var data = Path.GetFullPath(dataDirectory);
        _containersRoot = Path.Combine(data, "containers");
        _overlayRoot = Path.Combine(data, "overlay");
        Volumes = new NamedVolumes(Path.Combine(data, "volumes"));
        foreach (var directory in new[] { _containersRoot, _overlayRoot, Volumes.Root })
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _images = images;
        _network = network;
        _time = time;
        _runc = new RuncCli(runcBinary ?? RuncCli.Find() ?? throw new RuntimeException("the runc runtime needs runc (Debian: runc), and there is none in PATH"), Path.Combine(data, "runc"));
        _conmon = new Conmon(conmonBinary ?? Conmon.Find() ?? throw new RuntimeException("the runc runtime needs conmon (Debian: conmon), and none was found"), _runc, Path.Combine(data, "conmon-exits"), DefaultLogSizeMax);
        _exits = new ExitSignals(_containersRoot, log);
    }

    public string Name => "runc";

    /// <summary>This node's named volumes.</summary>
    public NamedVolumes Volumes { get; }

    /// <summary>The named volumes that containers (running or not yet removed) mount.</summary>
    public IReadOnlySet<string> VolumesInUse() =>
        Records().SelectMany(r => r.Volumes)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether this machine can run the runc runtime: root, runc and conmon present.</summary>
    public static string? Unavailable() =>
        !Environment.IsPrivilegedProcess ? "it needs root"
        : RuncCli.Find() is null ? "runc is not installed"
        : Conmon.Find() is null ? "conmon is not installed"
        : null;

    public async Task<ReplicaHandle> CreateAsync(ReplicaLaunchSpec spec, CancellationToken cancellationToken = default)
    {
        ValidateId(spec.ReplicaId);
        var service = spec.Service;
        var imageSpec = service.Image ?? throw new RuntimeException($"service '{service.Name}': the runc runtime runs images, and the service names none");
        var paths = Paths(spec.ReplicaId);
        var gate = Gate(spec.ReplicaId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(paths.Record) || await _runc.StateAsync(spec.ReplicaId, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new RuntimeException($"replica {spec.ReplicaId} already exists; remove it first");
            }

            var image = await _images.EnsureAsync(imageSpec.Name, imageSpec.PullPolicy, null, cancellationToken).ConfigureAwait(false);
            var imageConfig = ManifestReader.ReadConfig(
                await _images.Store.Blobs.ReadAllBytesAsync(image.ConfigDigest, cancellationToken).ConfigureAwait(false),
                $"{image.Reference}: config {image.ConfigDigest}");

            var record = new ContainerRecord
            {
                ReplicaId = spec.ReplicaId,
                RuntimeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
                Image = image.Reference,
                ManifestDigest = image.ManifestDigest.ToString(),
                CgroupsPath = $"{CgroupParent}/{spec.ReplicaId}",
                Labels = Labels(spec),
                Volumes = [.. service.Storage.Where(v => v.Type == StorageType.Named && v.Name is not null).Select(v => v.Name!).Distinct()],
                CreatedAt = _time.GetUtcNow(),
            };

            try
            {
                // A creation interrupted before its record was written left only derived files.
                RemoveFiles(paths);
                Directory.CreateDirectory(paths.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                Directory.CreateDirectory(paths.Bundle);

                // The record goes first, so that whatever follows can be undone by RemoveAsync even
                // after a crash half-way (mount, network namespace).
                record.Save(paths.Record);
                OverlayRootfs.Mount(paths, [.. image.Layers.Select(l => _images.Store.Layers.PathOf(l.DiffId)).Reverse()]);

                string? netns = null;
                IPAddress? address = null;
                if (service.NetworkMode.Kind == NetworkModeKind.Container)
                {
                    // Another container's namespace: its address is this one's too, and it is not ours to tear down.
                    var (target, pid) = await JoinTargetAsync(spec, "network_mode", service.NetworkMode.Target!, cancellationToken).ConfigureAwait(false);
                    netns = SharedNamespaces.PathOf(pid, "net");
                    address = target.Address is { } shared ? IPAddress.Parse(shared) : null;
                    record.Address = target.Address;
                }
                else if (service.NetworkMode.Kind != NetworkModeKind.Host && service.HostNetwork != true && _network is not null)
                {
                    var attachment = await _network.AttachAsync(spec.ReplicaId, service, cancellationToken).ConfigureAwait(false);
                    netns = attachment.NamespacePath;
                    address = attachment.Address;
                    record.NetworkNamespace = netns;
                    record.Address = address?.ToString();
                    record.Save(paths.Record);
                }

                var hostname = service.Hostname ?? HostnameOf(spec);
                var (hosts, hostnameFile, resolv) = ContainerEtcFiles.Write(paths, hostname, address, service.ExtraHosts, service.Dns, address is null ? null : _resolver);
                var request = new BundleRequest(
                    spec,
                    imageConfig,
                    paths.Rootfs,
                    netns,
                    StorageMounts.Resolve(service, paths, Volumes),
                    hostname,
                    hosts,
                    hostnameFile,
                    resolv,
                    record.CgroupsPath)
                {
                    PidNamespacePath = await JoinedNamespaceAsync(spec, "pid_mode", service.PidMode, "pid", cancellationToken).ConfigureAwait(false),
                    IpcNamespacePath = await JoinedNamespaceAsync(spec, "ipc_mode", service.IpcMode, "ipc", cancellationToken).ConfigureAwait(false),
                };
                await RuntimeConfigWriter.WriteAsync(paths.Bundle, RuntimeConfigBuilder.Build(request), cancellationToken).ConfigureAwait(false);
                await _conmon.CreateAsync(paths, cancellationToken).ConfigureAwait(false);
                return HandleOf(record);
            }
            catch
            {
                await RemoveCoreAsync(paths, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task StartAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var paths = Paths(handle.ReplicaId);
        var record = Load(handle, paths);
        var state = await _runc.StateAsync(handle.ReplicaId, cancellationToken).ConfigureAwait(false)
            ?? throw new RuntimeException($"replica {handle.ReplicaId}: runc has no such container (it was removed, or the node restarted)");
        if (state.Status is "running")
        {
            return;
        }

        if (state.Status is not "created")
        {
            throw new RuntimeException($"replica {handle.ReplicaId} is {state.Status}; the runc runtime starts a container once (remove and create it again)");
        }

        await _runc.StartAsync(handle.ReplicaId, cancellationToken).ConfigureAwait(false);
        record.StartedAt = _time.GetUtcNow();
        record.Save(paths.Record);
    }

    public async Task StopAsync(ReplicaHandle handle, int signal, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        var paths = Paths(handle.ReplicaId);
        Load(handle, paths);
        if (await ExitedAsync(paths, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var exited = _exits.Next(handle.ReplicaId);
        if (await _runc.KillAsync(handle.ReplicaId, signal, cancellationToken).ConfigureAwait(false)
            && await WaitExitAsync(paths, exited, grace, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        exited = _exits.Next(handle.ReplicaId);
        await _runc.KillAsync(handle.ReplicaId, 9, cancellationToken).ConfigureAwait(false);
        if (!await WaitExitAsync(paths, exited, KillTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new RuntimeException($"replica {handle.ReplicaId} did not exit within {KillTimeout.TotalSeconds:0} s of SIGKILL");
        }
    }

    public async Task SignalAsync(ReplicaHandle handle, int signal, CancellationToken cancellationToken = default)
    {
        Load(handle, Paths(handle.ReplicaId));
        await _runc.KillAsync(handle.ReplicaId, signal, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var paths = Paths(handle.ReplicaId);
        var gate = Gate(handle.ReplicaId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = ContainerRecord.Load(paths.Record);
            if (record is not null && record.RuntimeId != handle.RuntimeId)
            {
                throw new RuntimeException($"replica {handle.ReplicaId} was re-created since this handle was taken");
            }

            if (ReadExitCode(paths) is null && await _runc.StateAsync(handle.ReplicaId, cancellationToken).ConfigureAwait(false) is { Status: "running" or "paused" })
            {
                throw new RuntimeException($"replica {handle.ReplicaId} is running; stop it before removing it");
            }

            await RemoveCoreAsync(paths, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<ReplicaRuntimeState> InspectAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var paths = Paths(handle.ReplicaId);
        var record = Load(handle, paths);
        if (Recorded(paths, record) is { } recorded)
        {
            return recorded;
        }

        var state = await _runc.StateAsync(handle.ReplicaId, cancellationToken).ConfigureAwait(false);
        if (state?.Status is "stopped" or null)
        {
            if (MonitorAlive(paths))
            {
                // The process is gone and conmon is about to record how it ended: not exited until then.
                return new ReplicaRuntimeState(RuntimeStatus.Running, null, false, null, record.StartedAt, null, record.Address, null);
            }

            // conmon may have written the exit code and ended between the first look and now.
            if (Recorded(paths, record) is { } late)
            {
                return late;
            }
        }

        var oom = File.Exists(paths.OomFile);

        return state?.Status switch
        {
            "created" => new ReplicaRuntimeState(RuntimeStatus.Created, null, false, state.Pid, null, null, record.Address, null),
            "running" or "paused" => new ReplicaRuntimeState(RuntimeStatus.Running, null, false, state.Pid, record.StartedAt, null, record.Address, null),
            "stopped" => new ReplicaRuntimeState(RuntimeStatus.Exited, null, oom, null, record.StartedAt, null, record.Address, "the container stopped but conmon recorded no exit code (conmon was killed)"),
            _ => new ReplicaRuntimeState(RuntimeStatus.Exited, null, oom, null, record.StartedAt, null, record.Address, "runc no longer knows the container (the node restarted?)"),
        };
    }

    public async Task<ReplicaRuntimeState> WaitAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var signal = _exits.Next(handle.ReplicaId);
            var state = await InspectAsync(handle, cancellationToken).ConfigureAwait(false);
            if (state.Status == RuntimeStatus.Exited)
            {
                return state;
            }

            await ExitSignals.WaitAsync(signal, _exits.FallbackInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyList<ReplicaHandle>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ReplicaHandle>>([.. Records().Select(HandleOf)]);

    public async IAsyncEnumerable<LogLine> LogsAsync(ReplicaHandle handle, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var paths = Paths(handle.ReplicaId);
        Load(handle, paths);
        await foreach (var line in new ContainerLogReader(paths.Log).ReadAsync(options, () => File.Exists(paths.Record), cancellationToken).ConfigureAwait(false))
        {
            yield return line;
        }
    }

    public async Task<ExecResult> ExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecOptions options, CancellationToken cancellationToken = default)
    {
        Load(handle, Paths(handle.ReplicaId));
        if (command.Count == 0)
        {
            throw new RuntimeException("exec needs a command");
        }

        return await _runc.ExecAsync(handle.ReplicaId, command, options.Stdin, options.Timeout, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ExecSession> StartExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecSessionOptions options, CancellationToken cancellationToken = default)
    {
        var paths = Paths(handle.ReplicaId);
        Load(handle, paths);
        if (command.Count == 0)
        {
            throw new RuntimeException("exec needs a command");
        }

        var state = await _runc.StateAsync(handle.ReplicaId, cancellationToken).ConfigureAwait(false);
        if (state?.Status != "running")
        {
            throw new RuntimeException($"replica {handle.ReplicaId} is not running");
        }

        var pidFile = Path.Combine(paths.Directory, $"exec-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.pid");
        return ProcessExecSession.Start(_runc.ExecStartInfo(handle.ReplicaId, command, options.Tty, pidFile), options);
    }

    public async Task<ResourceUsage?> StatsAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var record = Load(handle, Paths(handle.ReplicaId));
        return await CgroupStats.ReadAsync(record.CgroupsPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The manifests of the images this runtime's containers run from, which image collection must keep.</summary>
    public IReadOnlyList<ZLayer.Images.Content.Digest> ManifestsInUse() =>
        [.. Records()
            .Select(r => ZLayer.Images.Content.Digest.TryParse(r.ManifestDigest, out var digest, out _) ? digest : (ZLayer.Images.Content.Digest?)null)
            .OfType<ZLayer.Images.Content.Digest>()];

    public void Dispose() => _exits.Dispose();

    private ContainerPaths Paths(string replicaId)
    {
        ValidateId(replicaId);
        return new ContainerPaths(_containersRoot, _overlayRoot, replicaId);
    }

    private SemaphoreSlim Gate(string replicaId) => _gates.GetOrAdd(replicaId, _ => new SemaphoreSlim(1, 1));

    /// <summary>The records of every container this runtime holds (running, exited or half-removed).</summary>
    private IEnumerable<ContainerRecord> Records() =>
        Directory.EnumerateDirectories(_containersRoot)
            .Select(d => ContainerRecord.Load(Path.Combine(d, "record.json")))
            .OfType<ContainerRecord>();

    /// <summary>The namespace a <c>container:TARGET</c> mode names, or null for any other mode.</summary>
    private async Task<string?> JoinedNamespaceAsync(ReplicaLaunchSpec spec, string field, string? mode, string kind, CancellationToken ct) =>
        SharedNamespaces.TargetOf(mode) is { } target
            ? SharedNamespaces.PathOf((await JoinTargetAsync(spec, field, target, ct).ConfigureAwait(false)).Pid, kind)
            : null;

    /// <summary>The running container a <c>container:TARGET</c> mode names, and its init pid.</summary>
    private async Task<(ContainerRecord Target, int Pid)> JoinTargetAsync(ReplicaLaunchSpec spec, string field, string target, CancellationToken ct)
    {
        var found = SharedNamespaces.FindTarget(Records(), spec, target)
            ?? throw new RuntimeException($"service '{spec.ServiceName}': {field} container:{target} names no container on this node (a replica id, or a service of deployment '{spec.Deployment}')");
        var state = await _runc.StateAsync(found.ReplicaId, ct).ConfigureAwait(false);
        if (state is not { Status: "running", Pid: > 0 })
        {
            throw new RuntimeException($"service '{spec.ServiceName}': {field} container:{target} needs replica {found.ReplicaId} running, and it is {state?.Status ?? "not created"} (depend on it so that it starts first)");
        }

        return (found, state.Pid);
    }

    private static ContainerRecord Load(ReplicaHandle handle, ContainerPaths paths)
    {
        var record = ContainerRecord.Load(paths.Record) ?? throw new RuntimeException($"replica {handle.ReplicaId} does not exist");
        return record.RuntimeId == handle.RuntimeId
            ? record
            : throw new RuntimeException($"replica {handle.ReplicaId} was re-created since this handle was taken");
    }

    private async Task RemoveCoreAsync(ContainerPaths paths, CancellationToken ct)
    {
        var record = ContainerRecord.Load(paths.Record);
        await _runc.DeleteAsync(paths.Id, ct).ConfigureAwait(false);
        if (record?.NetworkNamespace is not null && _network is not null)
        {
            await _network.DetachAsync(paths.Id, ct).ConfigureAwait(false);
        }

        RemoveCgroup(record?.CgroupsPath);
        RemoveFiles(paths);
    }

    private static void RemoveFiles(ContainerPaths paths)
    {
        OverlayRootfs.Remove(paths);
        if (Directory.Exists(paths.Directory))
        {
            Directory.Delete(paths.Directory, recursive: true);
        }
    }

    /// <summary>runc delete removes the container's cgroups; the parent stays for the next container, empty ones of a crash are cleaned here.</summary>
    private static void RemoveCgroup(string? cgroupsPath)
    {
        if (cgroupsPath is null)
        {
            return;
        }

        var relative = cgroupsPath.TrimStart('/');
        var roots = CgroupStats.IsUnified() ? ["/sys/fs/cgroup"] : Directory.EnumerateDirectories("/sys/fs/cgroup").ToArray();
        foreach (var root in roots)
        {
            var directory = Path.Combine(root, relative);
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory);
                }
            }
            catch (IOException)
            {
                // Still has processes (being killed) or children; runc's own delete handles live ones.
            }
        }
    }

    private async Task<bool> ExitedAsync(ContainerPaths paths, CancellationToken ct) =>
        ReadExitCode(paths) is not null
        || (!MonitorAlive(paths) && await _runc.StateAsync(paths.Id, ct).ConfigureAwait(false) is null or { Status: "stopped" });

    private static bool MonitorAlive(ContainerPaths paths) => Conmon.ReadPid(paths.ConmonPidFile) is { } pid && Conmon.IsAlive(pid);

    private async Task<bool> WaitExitAsync(ContainerPaths paths, Task signal, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            if (await ExitedAsync(paths, ct).ConfigureAwait(false))
            {
                return true;
            }

            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await ExitSignals.WaitAsync(signal, left < _exits.FallbackInterval ? left : _exits.FallbackInterval, _time, ct).ConfigureAwait(false);
            signal = _exits.Next(paths.Id);
        }
    }

    private static ReplicaRuntimeState? Recorded(ContainerPaths paths, ContainerRecord record)
    {
        if (ReadExitCode(paths) is not { } exitCode)
        {
            return null;
        }

        var oom = File.Exists(paths.OomFile);
        return new ReplicaRuntimeState(RuntimeStatus.Exited, exitCode, oom, null, record.StartedAt, File.GetLastWriteTimeUtc(paths.ExitFile), record.Address,
            oom ? "killed by the kernel: out of memory (the service's memory limit)" : null);
    }

    private static int? ReadExitCode(ContainerPaths paths)
    {
        try
        {
            var text = File.ReadAllText(paths.ExitFile).Trim();
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) ? code : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> Labels(ReplicaLaunchSpec spec)
    {
        var labels = new Dictionary<string, string>(spec.Service.Labels, StringComparer.Ordinal)
        {
            [ProcessRuntime.LabelDeployment] = spec.Deployment,
            [ProcessRuntime.LabelService] = spec.ServiceName,
            [ProcessRuntime.LabelIndex] = spec.Index.ToString(CultureInfo.InvariantCulture),
            [ProcessRuntime.LabelReplica] = spec.ReplicaId,
        };
        foreach (var (key, value) in spec.Labels)
        {
            labels[key] = value;
        }

        return labels;
    }

    private static ReplicaHandle HandleOf(ContainerRecord record) =>
        new(record.ReplicaId, record.RuntimeId, "runc") { Labels = record.Labels };

    /// <summary>A DNS-safe host name from the replica id (deployment.service.N becomes service-N).</summary>
    private static string HostnameOf(ReplicaLaunchSpec spec) =>
        $"{spec.ServiceName}-{spec.Index.ToString(CultureInfo.InvariantCulture)}".ToLowerInvariant();

    private static void ValidateId(string replicaId)
    {
        if (replicaId.Length is 0 or > 200 || replicaId.StartsWith('.') || !replicaId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new RuntimeException($"'{replicaId}' is not a valid replica id (letters, digits, '.', '-', '_')");
        }
    }
}
