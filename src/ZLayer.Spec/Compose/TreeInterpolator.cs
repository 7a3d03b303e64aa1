using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Interpolates every scalar value of a parsed compose file (keys are left as written, as Compose
/// does). Problems are reported at the scalar they were found in. A node reached twice through a YAML
/// alias is interpolated once, so its warnings are not repeated.
/// </summary>
internal sealed class TreeInterpolator(Interpolator interpolator, ComposeReporter reporter)
{
    private readonly Dictionary<YNode, YNode> _done = new(ReferenceEqualityComparer.Instance);

    public YNode Apply(YNode node, string path)
    {
        if (_done.TryGetValue(node, out var known))
        {
            return known;
        }

        YNode result = node switch
        {
            YScalar s => Scalar(s, path),
            YSequence seq => YTree.Seq(seq.Location, seq.Items.Select((item, i) => Apply(item, $"{path}[{i}]")), seq.Tag),
            YMapping map => YTree.Map(map.Location, map.Entries.Select(e => new KeyValuePair<YScalar, YNode>(e.Key, Apply(e.Value, Child(path, e.Key.Value)))), map.Tag),
            _ => node,
        };
        _done[node] = result;
        return result;
    }

    private YScalar Scalar(YScalar scalar, string path)
    {
        if (scalar.IsNull || !scalar.Value.Contains('$', StringComparison.Ordinal))
        {
            return scalar;
        }

        var issues = new List<InterpolationIssue>();
        var value = interpolator.Apply(scalar.Value, issues);
        foreach (var issue in issues)
        {
            if (issue.IsError)
            {
                reporter.Error(ComposeCodes.Interpolation, issue.Message, scalar, path);
            }
            else
            {
                reporter.Warning(ComposeCodes.UnsetVariable, issue.Message, scalar, path);
            }
        }

        if (value == scalar.Value)
        {
            return scalar;
        }

        // An interpolated value that came out empty (or "null") is still the string the user wrote,
        // not a YAML null; everything else stays plain so numbers and booleans still read as such.
        var nullLike = value is "" or "~" or "null" or "Null" or "NULL";
        return new YScalar(scalar.Location, value, scalar.IsPlain && !nullLike) { Tag = scalar.Tag };
    }

    private static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
