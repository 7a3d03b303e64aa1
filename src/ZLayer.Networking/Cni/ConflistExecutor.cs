using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>
/// Runs a configuration list with the specification's semantics: ADD in order, each plugin given
/// the previous one's result; CHECK in order and DEL in reverse, each given the ADD's result; the
/// list's name and version in every plugin's configuration; capability arguments only to the
/// plugins that declare the capability; and the first failure stops the list.
/// </summary>
internal sealed class ConflistExecutor(PluginRunner runner)
{
    /// <summary>
    /// ADD of every plugin; returns the last result. On failure, DEL of the whole list undoes what
    /// the plugins before the failing one did, as the specification advises, and the original error
    /// is thrown (with <see cref="CniException.RollbackFailure"/> if the DEL failed too).
    /// </summary>
    public async Task<JsonObject> AddAsync(NetworkConfigList list, PluginInvocation invocation, JsonObject capabilityArgs, CancellationToken cancellationToken)
    {
        EnsurePluginsExist(list, invocation);
        JsonObject? previous = null;
        try
        {
            for (var i = 0; i < list.Plugins.Count; i++)
            {
                var plugin = NetworkConfigList.PluginType(list.Plugins[i], list.Name);
                var config = PluginConfig(list, i, capabilityArgs, previous);
                previous = await runner.RunAsync(plugin, invocation, config, cancellationToken)
                    ?? throw new InvalidOperationException("ADD always yields a result or an exception");
            }
            return previous ?? throw new InvalidOperationException("a configuration list has at least one plugin");
        }
        catch (Exception failure) when (failure is CniException or OperationCanceledException)
        {
            var rollbackFailure = await RollBackAsync(list, invocation, capabilityArgs, previous);
            if (failure is CniException cni && rollbackFailure is not null)
            {
                cni.RollbackFailure = rollbackFailure;
            }
            throw;
        }
    }

    /// <summary>DEL of every plugin in reverse order; <paramref name="prevResult"/> null when no ADD result is known.</summary>
    public async Task DelAsync(NetworkConfigList list, PluginInvocation invocation, JsonObject capabilityArgs, JsonObject? prevResult, CancellationToken cancellationToken)
    {
        EnsurePluginsExist(list, invocation);
        for (var i = list.Plugins.Count - 1; i >= 0; i--)
        {
            var plugin = NetworkConfigList.PluginType(list.Plugins[i], list.Name);
            await runner.RunAsync(plugin, invocation, PluginConfig(list, i, capabilityArgs, prevResult), cancellationToken);
        }
    }

    /// <summary>CHECK of every plugin in order, each given the ADD's result; a no-op when the list disables CHECK.</summary>
    public async Task CheckAsync(NetworkConfigList list, PluginInvocation invocation, JsonObject capabilityArgs, JsonObject prevResult, CancellationToken cancellationToken)
    {
        if (list.DisableCheck)
        {
            return;
        }
        EnsurePluginsExist(list, invocation);
        for (var i = 0; i < list.Plugins.Count; i++)
        {
            var plugin = NetworkConfigList.PluginType(list.Plugins[i], list.Name);
            try
            {
                await runner.RunAsync(plugin, invocation, PluginConfig(list, i, capabilityArgs, prevResult), cancellationToken);
            }
            catch (CniPluginException e) when (KnownPluginFaults.IsSpuriousCheckFailure(e, prevResult))
            {
            }
        }
    }

    /// <summary>
    /// The configuration one plugin of the list receives on stdin. Capability arguments go in
    /// runtimeConfig under the capability's name, and only to a plugin whose "capabilities" has it true.
    /// </summary>
    public static JsonObject PluginConfig(NetworkConfigList list, int index, JsonObject capabilityArgs, JsonObject? prevResult)
    {
        var config = (JsonObject)list.Plugins[index].DeepClone();
        config["cniVersion"] = list.CniVersion;
        config["name"] = list.Name;
        config.Remove("runtimeConfig");
        config.Remove("prevResult");
        if (config["capabilities"] is JsonObject capabilities)
        {
            var runtimeConfig = new JsonObject();
            foreach (var (capability, enabled) in capabilities)
            {
                if (enabled is JsonValue flag && flag.TryGetValue<bool>(out var on) && on && capabilityArgs[capability] is { } argument)
                {
                    runtimeConfig[capability] = argument.DeepClone();
                }
            }
            if (runtimeConfig.Count > 0)
            {
                config["runtimeConfig"] = runtimeConfig;
            }
        }
        if (prevResult is not null)
        {
            config["prevResult"] = prevResult.DeepClone();
        }
        return config;
    }

    /// <summary>
    /// Finds every executable before running any, so a missing plugin fails the operation before
    /// it has changed anything rather than half-way, with a rollback that would miss it too.
    /// </summary>
    private void EnsurePluginsExist(NetworkConfigList list, PluginInvocation invocation)
    {
        foreach (var plugin in list.Executables())
        {
            runner.FindOrThrow(plugin, invocation);
        }
    }

    private async Task<Exception?> RollBackAsync(NetworkConfigList list, PluginInvocation invocation, JsonObject capabilityArgs, JsonObject? partialResult)
    {
        // Not cancellable: the caller gave up on the ADD, and what it half did must still be undone; each plugin is time-limited.
        try
        {
            await DelAsync(list, invocation with { Command = CniCommand.Del }, capabilityArgs, partialResult, CancellationToken.None);
            return null;
        }
        catch (CniException e)
        {
            return e;
        }
    }
}
