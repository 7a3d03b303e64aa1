using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// The keys of one compose service, handed out to the mappers one by one. Whatever no mapper takes is
/// reported as unsupported at the end, so a compose field can never be dropped without a word.
/// </summary>
internal sealed class ServiceFields
{
    private readonly List<KeyValuePair<YScalar, YNode>> _entries;
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public ServiceFields(string name, YMapping node)
    {
        Name = name;
        Node = node;
        Path = $"services.{name}";
        _entries = [.. node.Entries];
    }

    public string Name { get; }

    public YMapping Node { get; }

    /// <summary>The document path of the service, <c>services.NAME</c>.</summary>
    public string Path { get; }

    public string PathOf(string key) => $"{Path}.{key}";

    public bool Take(string key, out YScalar keyNode, out YNode value)
    {
        foreach (var (k, v) in _entries)
        {
            if (k.Value == key)
            {
                _taken.Add(key);
                keyNode = k;
                value = v;
                return true;
            }
        }

        keyNode = null!;
        value = null!;
        return false;
    }

    /// <summary>Looks at a key without taking it (for decisions that depend on another mapper's key).</summary>
    public YNode? Peek(string key) => Node.Get(key);

    public IEnumerable<KeyValuePair<YScalar, YNode>> Untaken => _entries.Where(e => !_taken.Contains(e.Key.Value));

    /// <summary>Records that model key <paramref name="modelKey"/> of <paramref name="target"/> came from compose key <paramref name="composeKey"/>.</summary>
    public static void Mark(SpecObject target, string modelKey, YScalar composeKey) =>
        target.KeyLocations[modelKey] = composeKey.Location;
}
