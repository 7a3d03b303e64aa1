using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>
/// A CNI network configuration list (conflist): the plugins run in order for ADD and CHECK and in
/// reverse for DEL, all under the list's <see cref="Name"/> and <see cref="CniVersion"/>.
/// </summary>
internal sealed class NetworkConfigList
{
    public NetworkConfigList(string name, string cniVersion, bool disableCheck, IReadOnlyList<JsonObject> plugins)
    {
        CniNames.CheckIdentifier(name, "network name");
        if (plugins.Count == 0)
        {
            throw new CniConfigurationException($"network {name}: a configuration list needs at least one plugin");
        }
        for (var i = 0; i < plugins.Count; i++)
        {
            CniNames.CheckPluginType(PluginType(plugins[i], $"network {name} plugins[{i}]"), $"network {name} plugins[{i}]");
        }
        Name = name;
        CniVersion = cniVersion;
        DisableCheck = disableCheck;
        Plugins = plugins;
    }

    public string Name { get; }

    public string CniVersion { get; }

    /// <summary>When true the specification forbids CHECK on this network.</summary>
    public bool DisableCheck { get; }

    /// <summary>Each plugin's own configuration, without the name and version the list supplies.</summary>
    public IReadOnlyList<JsonObject> Plugins { get; }

    public static string PluginType(JsonObject plugin, string where) =>
        plugin["type"] is JsonValue value && value.TryGetValue<string>(out var type)
            ? type
            : throw new CniConfigurationException($"{where}: 'type' is missing or not a string");

    /// <summary>Every executable the list needs: each plugin and the IPAM plugins they delegate to.</summary>
    public IEnumerable<string> Executables()
    {
        for (var i = 0; i < Plugins.Count; i++)
        {
            var where = $"network {Name} plugins[{i}]";
            yield return PluginType(Plugins[i], where);
            if (Plugins[i]["ipam"] is JsonObject ipam)
            {
                var ipamType = PluginType(ipam, where + ".ipam");
                CniNames.CheckPluginType(ipamType, where + ".ipam");
                yield return ipamType;
            }
        }
    }

    public JsonObject ToJson() => new()
    {
        ["cniVersion"] = CniVersion,
        ["name"] = Name,
        ["disableCheck"] = DisableCheck,
        ["plugins"] = new JsonArray([.. Plugins.Select(p => (JsonNode)p.DeepClone())]),
    };

    /// <summary>Reads a list as <see cref="ToJson"/> writes it; throws <see cref="FormatException"/> naming the field.</summary>
    public static NetworkConfigList FromJson(JsonObject json, string path)
    {
        var name = Json.RequiredString(json, "name", path);
        var version = Json.RequiredString(json, "cniVersion", path);
        var disableCheck = json["disableCheck"] switch
        {
            null => false,
            JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
            _ => throw new FormatException($"{path}.disableCheck is not a boolean"),
        };
        var array = Json.OptionalArray(json, "plugins", path) ?? throw new FormatException($"{path}.plugins is missing");
        var plugins = new List<JsonObject>();
        for (var i = 0; i < array.Count; i++)
        {
            plugins.Add(array[i] as JsonObject ?? throw new FormatException($"{path}.plugins[{i}] is not an object"));
        }
        try
        {
            return new NetworkConfigList(name, version, disableCheck, [.. plugins.Select(p => (JsonObject)p.DeepClone())]);
        }
        catch (CniConfigurationException e)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
    }
}
