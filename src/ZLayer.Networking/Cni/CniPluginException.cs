namespace ZLayer.Networking.Cni;

/// <summary>A plugin reported an error the way the CNI specification defines it: non-zero exit and <c>{"code","msg","details"}</c> on stdout.</summary>
public sealed class CniPluginException(string message, string plugin, CniCommand command, string containerId, int code, string pluginMessage, string? details, string stderr)
    : CniException(message, plugin, command, containerId)
{
    /// <summary>The CNI error code: 1-99 are the specification's (<see cref="CniErrorCodes"/>), 100 and up the plugin's own.</summary>
    public int Code { get; } = code;

    /// <summary>The plugin's <c>msg</c>.</summary>
    public string PluginMessage { get; } = pluginMessage;

    /// <summary>The plugin's <c>details</c>, when it gave any.</summary>
    public string? Details { get; } = details;

    /// <summary>What the plugin logged on stderr (possibly cut short), for diagnosis.</summary>
    public string Stderr { get; } = stderr;
}
