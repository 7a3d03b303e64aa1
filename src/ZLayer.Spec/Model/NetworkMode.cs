namespace ZLayer.Spec.Model;

public enum NetworkModeKind { Default, Host, None, Bridge, Container }

/// <summary>
/// Docker-style network mode: <c>default</c>, <c>host</c>, <c>none</c>, <c>bridge</c>,
/// <c>bridge:NAME</c>, <c>container:ID</c> (or the tagged map forms upstream also takes).
/// </summary>
public sealed record NetworkMode(NetworkModeKind Kind, string? Target = null)
{
    public static readonly NetworkMode Default = new(NetworkModeKind.Default);

    public static readonly NetworkMode Host = new(NetworkModeKind.Host);

    public static bool TryParse(string text, out NetworkMode mode, out string error)
    {
        error = "";
        var s = text.Trim();
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        var head = colon < 0 ? s : s[..colon];
        var tail = colon < 0 ? null : s[(colon + 1)..];
        mode = (head, tail) switch
        {
            ("default", null) => Default,
            ("host", null) => Host,
            ("none", null) => new NetworkMode(NetworkModeKind.None),
            ("bridge", null) => new NetworkMode(NetworkModeKind.Bridge),
            ("bridge", { Length: > 0 }) => new NetworkMode(NetworkModeKind.Bridge, tail),
            ("container", { Length: > 0 }) => new NetworkMode(NetworkModeKind.Container, tail),
            _ => null!,
        };
        if (mode is null)
        {
            error = head == "container"
                ? "network_mode container: needs a container id, e.g. container:db"
                : $"invalid network_mode '{text}': expected default, host, none, bridge, bridge:NAME or container:ID";
            return false;
        }

        return true;
    }

    public override string ToString() => Kind switch
    {
        NetworkModeKind.Bridge when Target is not null => $"bridge:{Target}",
        NetworkModeKind.Container => $"container:{Target}",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
