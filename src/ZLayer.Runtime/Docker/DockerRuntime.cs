using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ZLayer.Images.Registry;
using ZLayer.Runtime.Exec;
using ZLayer.Runtime.Runc;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// Runs replicas as containers of a Docker engine (or Podman's Docker-compatible service) through
/// its API: the engine pulls the image, runs the container, keeps its log and its exit code, so
/// ZLayer needs no root runtime of its own. Containers carry labels naming their scope (this node)
/// and replica, which is all a restarted daemon needs to re-adopt them (<see cref="ListAsync"/>).
/// Each deployment's replicas share a bridge network of their own (<see cref="DockerNetworks"/>)
/// and are reached at their address on it. See docs/ARCHITECTURE.md, "The docker runtime".
/// </summary>
public sealed class DockerRuntime : IContainerRuntime, IInteractiveExec, IDisposable
{
    public const string DefaultScope = "zlayer";

    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CreatedPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly DockerEngine _engine;
    private readonly bool _ownsEngine;
    private readonly string _scope;
    private readonly DockerImages _images;
    private readonly DockerNetworks _networks;

    /// <param name="volumes">This node's named volumes, bound into containers that mount them.</param>
    /// <param name="registries">The node's registry settings at the time of a pull (for logins).</param>
    /// <param name="scope">Names this node's containers and networks (SCOPE-REPLICA, SCOPE-DEPLOYMENT) and marks them as its own.</param>
    /// <param name="ownsEngine">Whether disposing the runtime disposes <paramref name="engine"/>.</param>
    public DockerRuntime(DockerEngine engine, NamedVolumes volumes, Func<RegistrySettings>? registries = null, string scope = DefaultScope, bool ownsEngine = true)
    {
        if (scope.Length == 0 || !char.IsAsciiLetterOrDigit(scope[0]) || !scope.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"'{scope}' is not a scope (letters, digits, '-', '_', '.')", nameof(scope));
        }

        _engine = engine;
        _ownsEngine = ownsEngine;
        _scope = scope;
        Volumes = volumes;
        _images = new DockerImages(engine, registries ?? (() => RegistrySettings.Empty));
        _networks = new DockerNetworks(engine, scope);
    }

    public string Name => "docker";

    public DockerEngine Engine => _engine;

    /// <summary>This node's named volumes (shared with the runc runtime).</summary>
    public NamedVolumes Volumes { get; }

    /// <summary>The node's DNS server, named in containers' DNS settings when their service names none; the host's otherwise.</summary>
    public NodeResolver? Resolver { get; init; }

    /// <summary>The network a deployment's replicas join.</summary>
    public string NetworkOf(string deployment) => _networks.NameOf(deployment);

    /// <summary>The named volumes that this runtime's containers (running or not yet removed) mount.</summary>
    public IReadOnlySet<string> VolumesInUse() =>
        ListContainersAsync(CancellationToken.None).GetAwaiter().GetResult()
            .SelectMany(c => DockerLabels.Read(c["Labels"]).GetValueOrDefault(DockerLabels.Volumes)?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [])
            .ToHashSet(StringComparer.Ordinal);

    public async Task<ReplicaHandle> CreateAsync(ReplicaLaunchSpec spec, CancellationToken cancellationToken = default)
    {
        ValidateId(spec.ReplicaId);
        var service = spec.Service;
        var image = service.Image ?? throw new RuntimeException($"service '{service.Name}': the docker runtime runs images, and the service names none");
        var attachment = AttachmentOf(spec);
        var labels = DockerLabels.For(spec, _scope, DockerStorage.NamedVolumesOf(service));
        var body = DockerContainerConfig.Build(spec, DockerImages.NameOf(image.Name), attachment, labels, Volumes, Resolver);
        await _images.EnsureAsync(image.Name, image.PullPolicy, cancellationToken).ConfigureAwait(false);

        return await _networks.ExclusiveAsync(spec.Deployment, async () =>
        {
            var ours = attachment.Network == _networks.NameOf(spec.Deployment);
            if (ours)
            {
                await _networks.EnsureAsync(spec.Deployment, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var name = ContainerName(spec.ReplicaId);
                var reply = await _engine.SendAsync(HttpMethod.Post, $"/containers/create?name={DockerEngine.Query(name)}", body, $"creating replica {spec.ReplicaId}", cancellationToken, HttpStatusCode.Conflict).ConfigureAwait(false);
                if (reply.Is(HttpStatusCode.Conflict))
                {
                    throw new RuntimeException($"replica {spec.ReplicaId} already exists (container {name}); remove it first");
                }

                var id = reply.Body?["Id"]?.GetValue<string>() ?? throw new RuntimeException($"creating replica {spec.ReplicaId}: the engine returned no container id");
                return new ReplicaHandle(spec.ReplicaId, id, Name) { Labels = labels };
            }
            catch when (ours)
            {
                await _networks.RemoveIfUnusedAsync(spec.Deployment, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task StartAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        // 304: already running, which is what was asked for.
        await ContainerAsync(handle, HttpMethod.Post, "/start", "starting", cancellationToken, HttpStatusCode.NotModified).ConfigureAwait(false);
    }

    public async Task StopAsync(ReplicaHandle handle, int signal, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if ((await InspectAsync(handle, cancellationToken).ConfigureAwait(false)).Status != RuntimeStatus.Running)
        {
            return;
        }

        // Our own kill and wait rather than the engine's stop: API 1.41 takes no signal there and whole seconds only.
        await SignalAsync(handle, signal, cancellationToken).ConfigureAwait(false);
        if (await WaitNotRunningAsync(handle, grace, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await SignalAsync(handle, 9, cancellationToken).ConfigureAwait(false);
        if (!await WaitNotRunningAsync(handle, KillTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new RuntimeException($"replica {handle.ReplicaId} did not exit within {KillTimeout.TotalSeconds:0} s of SIGKILL");
        }
    }

    public async Task SignalAsync(ReplicaHandle handle, int signal, CancellationToken cancellationToken = default)
    {
        // A container that is not running has nothing to signal: Docker answers 409, Podman 500.
        var verb = $"sending signal {signal} to";
        var reply = await ContainerAsync(handle, HttpMethod.Post, $"/kill?signal={signal.ToString(CultureInfo.InvariantCulture)}", verb, cancellationToken, HttpStatusCode.Conflict, HttpStatusCode.InternalServerError).ConfigureAwait(false);
        if (reply.Is(HttpStatusCode.InternalServerError) && (await InspectAsync(handle, cancellationToken).ConfigureAwait(false)).Status == RuntimeStatus.Running)
        {
            throw new RuntimeException($"{verb} replica {handle.ReplicaId} (container {Short(handle.RuntimeId)}): {reply.Body?["message"]?.GetValue<string>() ?? "the engine failed"} (HTTP 500)");
        }
    }

    public async Task RemoveAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var inspect = await InspectJsonAsync(handle, cancellationToken, missingIsError: false).ConfigureAwait(false);
        var labels = inspect is null ? handle.Labels : DockerLabels.Read(inspect["Config"]?["Labels"]);
        var deployment = labels.GetValueOrDefault(DockerLabels.Deployment);
        async Task RemoveContainerAsync()
        {
            if (inspect is not null)
            {
                if (DockerState.From(inspect, null).Status == RuntimeStatus.Running)
                {
                    throw new RuntimeException($"replica {handle.ReplicaId} is running; stop it before removing it");
                }

                // v=1: its anonymous volumes go with it; named ones are host directories and stay.
                await ContainerAsync(handle, HttpMethod.Delete, "?v=1", "removing", cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
            }

            if (deployment is not null)
            {
                await _networks.RemoveIfUnusedAsync(deployment, cancellationToken).ConfigureAwait(false);
            }
        }

        if (deployment is null)
        {
            await RemoveContainerAsync().ConfigureAwait(false);
        }
        else
        {
            await _networks.ExclusiveAsync(deployment, RemoveContainerAsync, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ReplicaRuntimeState> InspectAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var inspect = (await InspectJsonAsync(handle, cancellationToken, missingIsError: true).ConfigureAwait(false))!;
        var deployment = DockerLabels.Read(inspect["Config"]?["Labels"]).GetValueOrDefault(DockerLabels.Deployment);
        return DockerState.From(inspect, deployment is null ? null : _networks.NameOf(deployment));
    }

    public async Task<ReplicaRuntimeState> WaitAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var state = await InspectAsync(handle, cancellationToken).ConfigureAwait(false);
            switch (state.Status)
            {
                case RuntimeStatus.Exited:
                    return state;
                case RuntimeStatus.Running:
                    await WaitNotRunningAsync(handle, null, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    // Created: the engine's wait would return at once, so look again shortly.
                    await Task.Delay(CreatedPollInterval, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    public async Task<IReadOnlyList<ReplicaHandle>> ListAsync(CancellationToken cancellationToken = default) =>
        [.. (await ListContainersAsync(cancellationToken).ConfigureAwait(false))
            .Select(c => (Id: c["Id"]?.GetValue<string>(), Labels: DockerLabels.Read(c["Labels"])))
            .Where(c => c.Id is not null && c.Labels.ContainsKey(DockerLabels.Replica))
            .Select(c => new ReplicaHandle(c.Labels[DockerLabels.Replica], c.Id!, Name) { Labels = c.Labels })];

    public async IAsyncEnumerable<LogLine> LogsAsync(ReplicaHandle handle, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var inspect = (await InspectJsonAsync(handle, cancellationToken, missingIsError: true).ConfigureAwait(false))!;
        if (options.Tail == 0)
        {
            yield break;
        }

        // Podman's API gives log times in whole seconds; its conmon writes the log file (CRI format,
        // nanoseconds) that the runc runtime reads too, readable here when the engine is local.
        if (_engine.IsPodman && inspect["LogPath"]?.GetValue<string>() is { Length: > 0 } logPath && File.Exists(logPath))
        {
            await foreach (var line in new ContainerLogReader(logPath).ReadAsync(options, () => File.Exists(logPath), cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }

            yield break;
        }

        var query = $"?stdout=1&stderr=1&timestamps=1&follow={(options.Follow ? 1 : 0)}&tail={(options.Tail is { } tail ? tail.ToString(CultureInfo.InvariantCulture) : "all")}";
        if (options.Since is { } since)
        {
            query += $"&since={DockerTime.UnixSeconds(since)}";
        }

        using var response = await _engine.OpenStreamAsync(HttpMethod.Get, $"/containers/{handle.RuntimeId}/logs{query}", null, $"reading the logs of replica {handle.ReplicaId}", cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var lines = new DockerLogLines();
        await foreach (var frame in DockerStreamFrames.ReadAsync(stream, DockerState.Tty(inspect), cancellationToken).ConfigureAwait(false))
        {
            foreach (var line in lines.Add(frame))
            {
                // The engine's since has whole-second precision on some versions; ours is the line's own time.
                if (options.Since is not { } from || line.Timestamp >= from)
                {
                    yield return line;
                }
            }
        }

        foreach (var line in lines.Flush())
        {
            yield return line;
        }
    }

    public async Task<ExecResult> ExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecOptions options, CancellationToken cancellationToken = default)
    {
        await CheckExecAsync(handle, command, cancellationToken).ConfigureAwait(false);
        return await DockerExec.RunAsync(_engine, handle.RuntimeId, handle.ReplicaId, command, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ExecSession> StartExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecSessionOptions options, CancellationToken cancellationToken = default)
    {
        await CheckExecAsync(handle, command, cancellationToken).ConfigureAwait(false);
        return await DockerExecSession.StartAsync(_engine, handle.RuntimeId, handle.ReplicaId, command, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ResourceUsage?> StatsAsync(ReplicaHandle handle, CancellationToken cancellationToken = default)
    {
        var inspect = (await InspectJsonAsync(handle, cancellationToken, missingIsError: true).ConfigureAwait(false))!;
        if (DockerState.From(inspect, null).Status != RuntimeStatus.Running)
        {
            return null;
        }

        var reply = await ContainerAsync(handle, HttpMethod.Get, "/stats?stream=false", "reading the stats of", cancellationToken).ConfigureAwait(false);
        var limited = inspect["HostConfig"]?["Memory"]?.GetValue<long>() is > 0;
        return reply.Body is null ? null : DockerStats.From(reply.Body, limited);
    }

    public void Dispose()
    {
        if (_ownsEngine)
        {
            _engine.Dispose();
        }
    }

    private string ContainerName(string replicaId) => $"{_scope}-{replicaId}";

    /// <summary>A command to run, in a replica that exists (a missing one is named, rather than the engine's 404).</summary>
    private async Task CheckExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, CancellationToken ct)
    {
        if (command.Count == 0)
        {
            throw new RuntimeException("exec needs a command");
        }

        await InspectJsonAsync(handle, ct, missingIsError: true).ConfigureAwait(false);
    }

    private DockerAttachment AttachmentOf(ReplicaLaunchSpec spec)
    {
        var service = spec.Service;
        var mode = service.HostNetwork is true ? NetworkMode.Host : service.NetworkMode;
        return mode.Kind switch
        {
            NetworkModeKind.Host => new DockerAttachment("host", null),
            NetworkModeKind.None => new DockerAttachment("none", null),
            NetworkModeKind.Bridge when mode.Target is { } network => new DockerAttachment(network, network),
            NetworkModeKind.Container => throw new RuntimeException($"service '{service.Name}': network_mode {mode} is not supported by the docker runtime yet"),
            _ => new DockerAttachment(_networks.NameOf(spec.Deployment), _networks.NameOf(spec.Deployment)),
        };
    }

    private async Task<List<JsonNode>> ListContainersAsync(CancellationToken ct)
    {
        var reply = await _engine.SendAsync(HttpMethod.Get, $"/containers/json?all=1&filters={DockerLabels.Filter((DockerLabels.Scope, _scope))}", null, "listing containers", ct).ConfigureAwait(false);
        return reply.Body is JsonArray list ? [.. list.OfType<JsonNode>()] : [];
    }

    /// <summary>The container's inspect answer; a container that is gone is an error naming the replica, or null when <paramref name="missingIsError"/> is false.</summary>
    private async Task<JsonNode?> InspectJsonAsync(ReplicaHandle handle, CancellationToken ct, bool missingIsError)
    {
        var reply = await ContainerAsync(handle, HttpMethod.Get, "/json", "inspecting", ct, HttpStatusCode.NotFound).ConfigureAwait(false);
        if (reply.Is(HttpStatusCode.NotFound) || reply.Body is null)
        {
            return missingIsError ? throw new RuntimeException($"replica {handle.ReplicaId} does not exist (container {Short(handle.RuntimeId)} is gone)") : null;
        }

        return reply.Body;
    }

    /// <summary>One call on the handle's container, failing with a message that names the replica and its container.</summary>
    private async Task<EngineReply> ContainerAsync(ReplicaHandle handle, HttpMethod method, string suffix, string verb, CancellationToken ct, params HttpStatusCode[] tolerated)
    {
        var reply = await _engine.SendAsync(method, $"/containers/{handle.RuntimeId}{suffix}", null, $"{verb} replica {handle.ReplicaId} (container {Short(handle.RuntimeId)})", ct, [.. tolerated, HttpStatusCode.NotFound]).ConfigureAwait(false);
        return reply.Is(HttpStatusCode.NotFound) && !tolerated.Contains(HttpStatusCode.NotFound)
            ? throw new RuntimeException($"{verb} replica {handle.ReplicaId}: it does not exist (container {Short(handle.RuntimeId)} is gone)")
            : reply;
    }

    /// <summary>Waits until the container is not running; false when <paramref name="timeout"/> passed first.</summary>
    private async Task<bool> WaitNotRunningAsync(ReplicaHandle handle, TimeSpan? timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t)
        {
            limit.CancelAfter(t);
        }

        try
        {
            // The engine answers the headers at once and the body when the container stops.
            using var response = await _engine.OpenStreamAsync(HttpMethod.Post, $"/containers/{handle.RuntimeId}/wait?condition=not-running", null, $"waiting for replica {handle.ReplicaId}", limit.Token).ConfigureAwait(false);
            await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    private static void ValidateId(string replicaId)
    {
        if (replicaId.Length is 0 or > 200 || !char.IsAsciiLetterOrDigit(replicaId[0]) || !replicaId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new RuntimeException($"'{replicaId}' is not a valid replica id (letters, digits, '.', '-', '_', starting with a letter or digit)");
        }
    }
}
