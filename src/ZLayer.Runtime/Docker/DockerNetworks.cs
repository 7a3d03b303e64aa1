using System.Net;
using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// One user-defined bridge network per deployment (<c>SCOPE-DEPLOYMENT</c>), created when its
/// first replica is and removed with its last, so a deployment's replicas reach each other (and the
/// node reaches them) by container IP and by name through the engine's DNS, apart from other
/// deployments. Creation and removal of one deployment's network are serialised with the creation
/// and removal of its containers, so a replica is never created on a network being removed.
/// </summary>
internal sealed class DockerNetworks(DockerEngine engine, string scope)
{
    private readonly Dictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public string NameOf(string deployment) => $"{scope}-{deployment}";

    /// <summary>Runs <paramref name="action"/> while no other replica of <paramref name="deployment"/> is created or removed.</summary>
    public async Task<T> ExclusiveAsync<T>(string deployment, Func<Task<T>> action, CancellationToken ct)
    {
        SemaphoreSlim gate;
        lock (_locks)
        {
            if (!_locks.TryGetValue(deployment, out gate!))
            {
                gate = new SemaphoreSlim(1, 1);
                _locks[deployment] = gate;
            }
        }

        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public Task ExclusiveAsync(string deployment, Func<Task> action, CancellationToken ct) =>
        ExclusiveAsync(deployment, async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        }, ct);

    public async Task EnsureAsync(string deployment, CancellationToken ct)
    {
        var name = NameOf(deployment);
        var existing = await engine.SendAsync(HttpMethod.Get, $"/networks/{DockerEngine.Query(name)}", null, $"inspecting network {name}", ct, HttpStatusCode.NotFound).ConfigureAwait(false);
        if (!existing.Is(HttpStatusCode.NotFound))
        {
            return;
        }

        var body = new JsonObject
        {
            ["Name"] = name,
            ["Driver"] = "bridge",
            ["CheckDuplicate"] = true,
            ["Labels"] = new JsonObject { [DockerLabels.Scope] = scope, [DockerLabels.Deployment] = deployment },
        };
        // Conflict: another node agent sharing the engine made it first, which is as good.
        await engine.SendAsync(HttpMethod.Post, "/networks/create", body, $"creating network {name} for deployment {deployment}", ct, HttpStatusCode.Conflict).ConfigureAwait(false);
    }

    /// <summary>Removes the deployment's network once none of its containers is left.</summary>
    public async Task RemoveIfUnusedAsync(string deployment, CancellationToken ct)
    {
        var name = NameOf(deployment);
        var left = await engine.SendAsync(HttpMethod.Get, $"/containers/json?all=1&filters={DockerLabels.Filter((DockerLabels.Scope, scope), (DockerLabels.Deployment, deployment))}", null, $"listing the containers of deployment {deployment}", ct).ConfigureAwait(false);
        if (left.Body is JsonArray { Count: > 0 })
        {
            return;
        }

        // Not found: already gone. Forbidden/conflict: something outside ZLayer still uses it; it stays.
        await engine.SendAsync(HttpMethod.Delete, $"/networks/{DockerEngine.Query(name)}", null, $"removing network {name}", ct, HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.Conflict).ConfigureAwait(false);
    }
}
