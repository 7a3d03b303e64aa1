using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Agent;
using ZLayer.Control.Api;
using ZLayer.Control.Discovery;
using ZLayer.Control.Model;
using ZLayer.Control.Scaling;
using ZLayer.Control.Scheduling;
using ZLayer.Control.State;
using ZLayer.Control.Store;
using ZLayer.Control.Store.Etcd;
using ZLayer.Control.Store.Sqlite;
using ZLayer.Images;
using ZLayer.Images.Registry;
using ZLayer.Runtime;
using ZLayer.Runtime.Process;
using ZLayer.Runtime.Runc;
using ZLayer.Server;
using ZLayer.Server.Metrics;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// One node's daemon: the store, the API, the scheduler, cron and the node agent, run together
/// until the shutdown token fires. The loops only meet through the store (ARCHITECTURE.md), so
/// this class wires them and owns their lifetimes, nothing more.
/// </summary>
public sealed class DaemonHost(DaemonOptions options, DaemonLogger log)
{
    /// <summary>The runtimes this build can run replicas with.</summary>
    public static readonly IReadOnlyList<string> KnownRuntimes = ["auto", "process", "runc", "docker"];

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the API listens; fails when the daemon gave up before that (its reason is in the log).</summary>
    public Task Ready => _ready.Task;

    /// <summary>The API once built, for tests that inspect what the daemon maps (its routes and their description).</summary>
    public Microsoft.AspNetCore.Builder.WebApplication? Api { get; private set; }

    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        try
        {
            var code = await RunCoreAsync(shutdown);
            _ready.TrySetException(new InvalidOperationException("the daemon stopped before it was ready"));
            return code;
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            throw;
        }
    }

    private async Task<int> RunCoreAsync(CancellationToken shutdown)
    {
        var time = TimeProvider.System;
        // Images are unpacked with Linux ownership and overlay semantics; no other system can host a node.
        if (!OperatingSystem.IsLinux())
        {
            log.Error("the zlayer daemon runs on Linux only");
            return ExitCodes.Failure;
        }

        CreatePrivateDirectory(options.DataDirectory);
        var nodeId = NodeIdentity.LoadOrCreate(options.DataDirectory);
        var security = await ApiSecurityStartup.OpenAsync(options, log);
        if (security is null)
        {
            return ExitCodes.Failure;
        }

        var storePath = Path.Combine(options.DataDirectory, "state.db");
        await using var store = await OpenStoreAsync(storePath, time, shutdown);
        if (store is null)
        {
            return ExitCodes.Failure;
        }

        using var images = OpenImages();
        if (images is null)
        {
            return ExitCodes.Failure;
        }

        var observedStore = new InstrumentedStateStore(store);
        var repository = new StateRepository(observedStore);
        var events = new EventLog(observedStore, time);
        using var tracing = DaemonTracing.Start(log);
        var control = new ControlPlane(repository, events, time);
        var jobs = new JobOperations(repository, events, time);
        var restarts = new RollingRestart(repository, events, time);
        using var process = new ProcessRuntime(Path.Combine(options.DataDirectory, "replicas"), time, message => log.Warn(message, ("runtime", "process")));
        var runtimes = new Dictionary<string, IContainerRuntime>(StringComparer.Ordinal) { [process.Name] = process };
        var runcUnavailable = RuncRuntime.Unavailable();
        await using var traffic = await NodeTrafficServices.StartAsync(
            options, runcUnavailable is null && options.Runtime is "auto" or "runc", log, shutdown);
        using var runc = runcUnavailable is null ? ContainerRuntime.Create(options, images, time, log, traffic.Resolver) : null;
        if (runc is not null)
        {
            runtimes[runc.Name] = runc;
        }

        // Connected whenever an engine answers, so that services can ask for runtime: docker whatever the default.
        var (docker, dockerUnavailable) = await ContainerRuntime.ConnectDockerAsync(options, images, traffic.Resolver, shutdown);
        using var dockerRuntime = docker;
        if (docker is not null)
        {
            runtimes[docker.Name] = docker;
            log.Info("docker engine connected", ("socket", docker.Engine.SocketPath), ("engine", docker.Engine.Description));
        }

        var runtimeName = options.Runtime switch
        {
            "auto" => runc is not null ? "runc" : docker is not null ? "docker" : "process",
            var named => named,
        };
        if (runtimeName == "runc" && runc is null)
        {
            log.Error($"the runc runtime cannot run here: {runcUnavailable}");
            return ExitCodes.Failure;
        }

        if (runtimeName == "docker" && docker is null)
        {
            log.Error($"the docker runtime cannot run here: {dockerUnavailable}");
            return ExitCodes.Failure;
        }

        if (options.Runtime == "auto")
        {
            log.Info(runtimeName switch
            {
                "runc" => "runtime auto: runc (running as root with runc and conmon)",
                "docker" => $"runtime auto: docker (runc is unavailable: {runcUnavailable}; the Docker engine at {docker!.Engine.SocketPath} answers)",
                _ => $"runtime auto: process (runc is unavailable: {runcUnavailable}; docker is unavailable: {dockerUnavailable})",
            });
        }
        var agent = new NodeAgent(repository, events, runtimes, runtimeName, nodeId, time);
        var scheduler = new Scheduler(repository, events, nodeId);
        var cron = new CronTrigger(repository, jobs, time);

        await repository.PutAsync(StateKeys.Node(nodeId), new NodeRecord(nodeId, Environment.MachineName, [], "ready", time.GetUtcNow()), shutdown);

        Microsoft.AspNetCore.Builder.WebApplication api;
        var proxy = traffic.Proxy;
        try
        {
            api = BuildApi(security, control, agent, jobs, restarts, images, runc is null ? ImageUsage.None : new ImageUsage(runc.ManifestsInUse),
                Volumes(runc, docker),
                routes => routes.MapProxyRouteRoutes(proxy).MapNodeListRoutes(nodeId, runtimeName, runtimes.Keys));
            Api = api;
        }
        catch (IOException ex)
        {
            log.Error(ex.Message);
            return ExitCodes.Failure;
        }

        await using (api)
        {
            try
            {
                await api.StartAsync(shutdown);
            }
            catch (IOException ex)
            {
                // Kestrel reports a port in use as an IOException naming the address.
                log.Error($"the API cannot listen: {ex.Message}");
                return ExitCodes.Failure;
            }

            log.Info("zlayer daemon started",
                ("node", nodeId),
                ("data_dir", options.DataDirectory),
                ("socket", options.SocketPath),
                ("api", options.TcpEndpoint is { } tcp ? $"{(security.Certificate is null ? "http" : "https")}://{tcp}" : "none"),
                ("runtime", runtimeName),
                ("pid", Environment.ProcessId));
            if (options.Registries is { IsEmpty: false } flags)
            {
                log.Info("registry flags apply over registries.json",
                    ("insecure", string.Join(",", flags.Insecure)),
                    ("mirrors", string.Join(",", flags.Mirrors.Select(m => $"{m.Host}={m.Url}"))));
            }

            ApiSecurityStartup.Announce(security, options, log);
            _ready.TrySetResult();
            using var loops = new CancellationTokenSource();
            var running = new[]
            {
                Supervise("node agent", agent.RunAsync, loops.Token),
                Supervise("scheduler", scheduler.RunAsync, loops.Token),
                Supervise("cron", cron.RunAsync, loops.Token),
                Supervise("event log", new EventLogWriter(events, log).RunAsync, loops.Token),
                Supervise("autoscaler", new Autoscaler(repository, events, new NodeScalingMetrics(repository, agent, traffic.Proxy?.CreateRequestRateReader()), time).RunAsync, loops.Token),
                Supervise("service discovery", new ServiceDiscovery(repository, traffic.Proxy, traffic.Dns, message => log.Warn(message, ("loop", "service discovery"))).RunAsync, loops.Token),
            };

            try
            {
                await Task.Delay(Timeout.Infinite, shutdown);
            }
            catch (OperationCanceledException)
            {
            }

            log.Info(options.StopOnExit ? "stopping: taking every replica down first (--stop-on-exit)" : "stopping: replicas keep running and are re-adopted on the next start");
            if (options.StopOnExit)
            {
                await agent.StopAllAsync();
            }

            await loops.CancelAsync();
            await Task.WhenAll(running);
            await api.StopAsync(CancellationToken.None);
        }

        log.Info("zlayer daemon stopped");
        return ExitCodes.Success;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private Microsoft.AspNetCore.Builder.WebApplication BuildApi(ZLayer.Server.Auth.ApiSecurity security, ControlPlane control, NodeAgent agent, JobOperations jobs, RollingRestart restarts, ImageService images, ImageUsage usage, VolumeCatalog volumes, Action<Microsoft.AspNetCore.Routing.RouteGroupBuilder> viewRoutes) =>
        ApiServer.Build(
            new ApiServerOptions { SocketPath = options.SocketPath, TcpEndpoint = options.TcpEndpoint, Security = security },
            control,
            builder =>
            {
                builder.Services.AddSingleton(agent);
                builder.Services.AddSingleton(jobs);
                builder.Services.AddSingleton(restarts);
                builder.Services.AddSingleton(images);
                builder.Services.AddSingleton(usage);
                builder.Services.AddSingleton(volumes);
                builder.Services.AddSingleton<IScrapeSource, ReplicaUsageMetrics>();
                builder.Logging.ClearProviders().AddProvider(new DaemonLoggerProvider(log));
            },
            routes =>
            {
                routes.MapNodeRoutes();
                viewRoutes(routes);
            });

    /// <summary>The node's named volumes (one directory, DATA/volumes, whichever container runtime mounts them) and those either runtime's containers use.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static VolumeCatalog Volumes(RuncRuntime? runc, ZLayer.Runtime.Docker.DockerRuntime? docker) =>
        (runc?.Volumes ?? docker?.Volumes) is { } volumes
            ? new VolumeCatalog(volumes, () => new HashSet<string>([.. runc?.VolumesInUse() ?? new HashSet<string>(), .. docker?.VolumesInUse() ?? new HashSet<string>()], StringComparer.Ordinal))
            : VolumeCatalog.None;

    /// <summary>The node's images under DATA/images, with the serve flags over the registry settings file.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private ImageService? OpenImages()
    {
        var flags = options.Registries ?? RegistryFlags.None;
        try
        {
            return new ImageService(options.DataDirectory, flags.Apply);
        }
        catch (Exception ex) when (ex is RegistrySettingsException or ZLayer.Images.Manifests.ManifestException or System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            log.Error($"the image store cannot be opened: {ex.Message}", ("data_dir", options.DataDirectory));
            return null;
        }
    }

    /// <summary>The store the flags name: etcd, or the SQLite file in the data directory; null (logged) when it cannot be opened.</summary>
    private async Task<IStateStore?> OpenStoreAsync(string path, TimeProvider time, CancellationToken ct)
    {
        var where = options.Store is { } etcd ? string.Join(",", etcd.Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority))) : path;
        try
        {
            return options.Store is { } cluster
                ? await EtcdStateStore.OpenAsync(cluster, ct)
                : await SqliteStateStore.OpenAsync(path, time, null, ct);
        }
        catch (StoreUnavailableException ex)
        {
            log.Error(ex.Message, ("store", where));
            return null;
        }
        catch (IOException ex)
        {
            log.Error(ex.Message, ("store", where));
            return null;
        }
    }

    /// <summary>
    /// Runs one loop; a loop that throws is logged and started again after a pause rather than
    /// taking the daemon down, because replicas and the API must outlive a bug in one loop.
    /// </summary>
    private Task Supervise(string name, Func<CancellationToken, Task> loop, CancellationToken ct) => Task.Run(async () =>
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await loop(ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.Error($"{name} loop failed; starting it again in 1s: {ex.Message}", ex, ("loop", name));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }, CancellationToken.None);

    private static void CreatePrivateDirectory(string path)
    {
        if (!Directory.Exists(path) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
