using System.Text;

namespace ZLayer.Networking.Dns;

/// <summary>
/// A domain name as a list of labels. Labels keep the exact bytes they arrived with (one char per
/// byte, Latin-1), so a question is echoed byte for byte as asked; comparisons ignore ASCII case
/// only, as RFC 4343 requires.
/// </summary>
public sealed class DnsName : IEquatable<DnsName>
{
    public const int MaxLabelLength = 63;

    /// <summary>The longest name on the wire, length octets and the root's zero included (RFC 1035 §2.3.4).</summary>
    public const int MaxWireLength = 255;

    public static readonly DnsName Root = new([]);

    private DnsName(string[] labels) => Labels = labels;

    public IReadOnlyList<string> Labels { get; }

    public int WireLength => Labels.Sum(l => l.Length + 1) + 1;

    /// <summary>Labels from wire bytes already checked by the reader.</summary>
    internal static DnsName FromCheckedLabels(string[] labels) => new(labels);

    /// <summary>A name from dotted text (a trailing dot optional), for names this server owns.</summary>
    public static DnsName Parse(string text)
    {
        var trimmed = text.EndsWith('.') ? text[..^1] : text;
        if (trimmed.Length == 0)
        {
            return Root;
        }

        var labels = trimmed.Split('.');
        foreach (var label in labels)
        {
            if (label.Length is 0 or > MaxLabelLength || label.Any(c => c > 0x7f))
            {
                throw new ArgumentException($"'{text}' is not a domain name: label '{label}' must be 1-{MaxLabelLength} ASCII characters", nameof(text));
            }
        }

        var name = new DnsName(labels);
        if (name.WireLength > MaxWireLength)
        {
            throw new ArgumentException($"'{text}' is longer than {MaxWireLength} bytes on the wire", nameof(text));
        }

        return name;
    }

    /// <summary>This name with <paramref name="label"/> put in front.</summary>
    public DnsName Prepend(string label) => new([label, .. Labels]);

    /// <summary>The labels in ASCII lower case, for looking names up.</summary>
    public string[] LowerLabels() => [.. Labels.Select(AsciiLower)];

    /// <summary>Label equality with ASCII case ignored, and only ASCII case (RFC 4343).</summary>
    public static bool LabelEquals(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i])
            {
                continue;
            }

            var folded = a[i] | 0x20;
            if (folded != (b[i] | 0x20) || folded is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    public static string AsciiLower(string label)
    {
        foreach (var c in label)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return string.Create(label.Length, label, static (span, source) =>
                {
                    for (var i = 0; i < source.Length; i++)
                    {
                        var ch = source[i];
                        span[i] = ch is >= 'A' and <= 'Z' ? (char)(ch + 32) : ch;
                    }
                });
            }
        }

        return label;
    }

    public bool Equals(DnsName? other)
    {
        if (other is null || Labels.Count != other.Labels.Count)
        {
            return false;
        }

        for (var i = 0; i < Labels.Count; i++)
        {
            if (!LabelEquals(Labels[i], other.Labels[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as DnsName);

    public override int GetHashCode() => string.Join('.', Labels.Select(AsciiLower)).GetHashCode(StringComparison.Ordinal);

    /// <summary>Presentation form (RFC 1035 §5.1): dots and backslashes in labels escaped, other odd bytes as \DDD.</summary>
    public override string ToString()
    {
        if (Labels.Count == 0)
        {
            return ".";
        }

        var text = new StringBuilder();
        foreach (var label in Labels)
        {
            foreach (var c in label)
            {
                if (c is '.' or '\\')
                {
                    text.Append('\\').Append(c);
                }
                else if (c is <= ' ' or > '~')
                {
                    text.Append('\\').Append(((int)c).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append(c);
                }
            }

            text.Append('.');
        }

        return text.ToString();
    }
}
