using System.Globalization;

namespace ZLayer.Server.Metrics;

/// <summary>
/// The labels of one series, names and values as the exposition writes them. Equality ignores
/// order, because two call sites may pass the same tags in a different order and must still
/// land on one series (Prometheus refuses a family with the same label set twice).
/// </summary>
internal sealed class LabelSet
{
    public static readonly LabelSet Empty = new([]);

    // An array, not the interface: iterating it on the recording path must not allocate an enumerator.
    private readonly KeyValuePair<string, string>[] labels;

    private LabelSet(KeyValuePair<string, string>[] labels)
    {
        this.labels = labels;
        Hash = HashOf(labels);
    }

    public IReadOnlyList<KeyValuePair<string, string>> Labels => labels;

    public int Hash { get; }

    /// <summary>A copy of the tags, sorted by name so the output is stable from scrape to scrape.</summary>
    public static LabelSet From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return Empty;
        }

        var labels = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            labels[i] = new(tags[i].Key, Text(tags[i].Value));
        }

        Array.Sort(labels, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new LabelSet(labels);
    }

    /// <summary>
    /// Order-independent, so that it agrees with <see cref="Matches"/>. Deliberately cheap (lengths
    /// and end characters, not every character): it runs on every measurement, a family has few
    /// series, and a collision only costs one more <see cref="Matches"/>.
    /// </summary>
    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            hash += Sketch(tag.Key, tag.Value as string ?? Text(tag.Value));
        }

        return hash;
    }

    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != labels.Length)
        {
            return false;
        }

        // Tags are few (a handful at most), so a scan per tag beats building a lookup.
        foreach (var tag in tags)
        {
            var found = false;
            foreach (var label in labels)
            {
                if (label.Key == tag.Key)
                {
                    found = label.Value == (tag.Value as string ?? Text(tag.Value));
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    internal static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static int HashOf(KeyValuePair<string, string>[] labels)
    {
        var hash = labels.Length;
        foreach (var label in labels)
        {
            hash += Sketch(label.Key, label.Value);
        }

        return hash;
    }

    private static int Sketch(string key, string value) =>
        (((key.Length * 31) + (key.Length > 0 ? key[^1] : 0)) * 31 + value.Length) * 31
        + (value.Length > 0 ? value[0] * 7 + value[^1] : 0);
}
