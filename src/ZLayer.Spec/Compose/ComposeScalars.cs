using System.Globalization;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Values;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>One <c>name=value</c> pair of a compose map-or-list field (environment, labels, sysctls...).</summary>
/// <param name="Value">Null when only the name was written (<c>- KEY</c> or <c>KEY:</c> with no value).</param>
internal readonly record struct NamedValue(string Name, string? Value, YNode Node, SourceLocation NameLocation);

/// <summary>
/// Reads compose scalars into typed values, reporting a mistyped value at its place. Compose casts
/// after interpolation, so quoted numbers and booleans (<c>"3"</c>, <c>"true"</c>) are accepted.
/// </summary>
internal sealed class ComposeScalars(ComposeReporter reporter)
{
    public bool Text(YNode node, string path, out string value)
    {
        if (node is YScalar { IsNull: false } s)
        {
            value = s.Value;
            return true;
        }

        value = "";
        reporter.Error(ComposeCodes.Type, $"'{path}' needs a text value, found {Found(node)}", node, path);
        return false;
    }

    public bool Bool(YNode node, string path, out bool value)
    {
        value = false;
        if (node is YScalar { IsNull: false } s)
        {
            switch (s.Value.ToLowerInvariant())
            {
                case "true" or "yes" or "y" or "on":
                    value = true;
                    return true;
                case "false" or "no" or "n" or "off":
                    return true;
            }
        }

        reporter.Error(ComposeCodes.Type, $"'{path}' needs true or false, found {Found(node)}", node, path);
        return false;
    }

    public bool Integer(YNode node, string path, long min, long max, out long value)
    {
        value = 0;
        if (node is YScalar { IsNull: false } s && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        reporter.Error(ComposeCodes.Type, $"'{path}' needs a whole number from {min} to {max}, found {Found(node)}", node, path);
        return false;
    }

    public bool Number(YNode node, string path, out double value)
    {
        value = 0;
        if (node is YScalar { IsNull: false } s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
        {
            return true;
        }

        reporter.Error(ComposeCodes.Type, $"'{path}' needs a number, found {Found(node)}", node, path);
        return false;
    }

    public bool Duration(YNode node, string path, out Duration value)
    {
        value = default;
        if (!Text(node, path, out var text))
        {
            return false;
        }

        if (ComposeDuration.TryParse(text, out value, out var error))
        {
            return true;
        }

        reporter.Error(ComposeCodes.Value, $"'{path}': {error}", node, path);
        return false;
    }

    public bool ByteSize(YNode node, string path, out long bytes)
    {
        bytes = 0;
        if (!Text(node, path, out var text))
        {
            return false;
        }

        if (ComposeByteSize.TryParse(text, out bytes, out var error))
        {
            return true;
        }

        reporter.Error(ComposeCodes.Value, $"'{path}': {error}", node, path);
        return false;
    }

    /// <summary>A string or a list of strings (compose accepts both for dns, tmpfs, env_file...).</summary>
    public List<(string Text, YNode Node)> TextList(YNode node, string path)
    {
        var result = new List<(string, YNode)>();
        switch (node)
        {
            case YScalar { IsNull: true }:
                break;
            case YScalar s:
                result.Add((s.Value, s));
                break;
            case YSequence seq:
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (Text(seq.Items[i], $"{path}[{i}]", out var text))
                    {
                        result.Add((text, seq.Items[i]));
                    }
                }

                break;
            default:
                reporter.Error(ComposeCodes.Type, $"'{path}' needs a string or a list of strings, found a map", node, path);
                break;
        }

        return result;
    }

    /// <summary>A map of <c>name: value</c> or a list of <c>name=value</c> (a bare <c>name</c> has no value).</summary>
    public List<NamedValue> NamedValues(YNode node, string path)
    {
        var result = new List<NamedValue>();
        switch (node)
        {
            case YScalar { IsNull: true }:
                break;
            case YMapping map:
                foreach (var (key, value) in map.Entries)
                {
                    if (key.Value.Length == 0)
                    {
                        reporter.Error(ComposeCodes.Value, $"'{path}' has an entry with an empty name", key, path);
                        continue;
                    }

                    switch (value)
                    {
                        case YScalar { IsNull: true }:
                            result.Add(new NamedValue(key.Value, null, value, key.Location));
                            break;
                        case YScalar s:
                            result.Add(new NamedValue(key.Value, s.Value, value, key.Location));
                            break;
                        default:
                            reporter.Error(ComposeCodes.Type, $"'{path}.{key.Value}' needs a text value, found a {value.KindName}", value, $"{path}.{key.Value}");
                            break;
                    }
                }

                break;
            case YSequence seq:
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (!Text(seq.Items[i], $"{path}[{i}]", out var text))
                    {
                        continue;
                    }

                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    if (equals == 0 || text.Length == 0)
                    {
                        reporter.Error(ComposeCodes.Value, $"'{path}[{i}]' needs NAME=value or NAME, found {Found(seq.Items[i])}", seq.Items[i], $"{path}[{i}]");
                        continue;
                    }

                    result.Add(equals < 0
                        ? new NamedValue(text, null, seq.Items[i], seq.Items[i].Location)
                        : new NamedValue(text[..equals], text[(equals + 1)..], seq.Items[i], seq.Items[i].Location));
                }

                break;
            default:
                reporter.Error(ComposeCodes.Type, $"'{path}' needs a map of name: value or a list of name=value, found {Found(node)}", node, path);
                break;
        }

        return result;
    }

    public static string Found(YNode node) => node switch
    {
        YScalar { IsNull: true } => "nothing (null)",
        YScalar s => $"'{(s.Value.Length <= 40 ? s.Value : s.Value[..37] + "...")}'",
        _ => $"a {node.KindName}",
    };
}
