using System.Diagnostics.CodeAnalysis;

namespace ZLayer.Server.Metrics;

/// <summary>
/// Lets a series be found straight from a measurement's tag span, so recording into an existing
/// series allocates nothing; a <see cref="LabelSet"/> is built only for a new series.
/// </summary>
internal sealed class LabelSetComparer : IEqualityComparer<LabelSet>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, LabelSet>
{
    public static readonly LabelSetComparer Instance = new();

    public bool Equals(LabelSet? x, LabelSet? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Hash != y.Hash || x.Labels.Count != y.Labels.Count)
        {
            return false;
        }

        // Both are sorted by name.
        for (var i = 0; i < x.Labels.Count; i++)
        {
            if (x.Labels[i].Key != y.Labels[i].Key || x.Labels[i].Value != y.Labels[i].Value)
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode([DisallowNull] LabelSet obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, LabelSet other) => other.Matches(alternate);

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => LabelSet.HashOf(alternate);

    public LabelSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => LabelSet.From(alternate);
}
