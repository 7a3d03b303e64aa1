using System.Globalization;

namespace ZLayer.Spec.Values;

/// <summary>A memory amount with a binary suffix (<c>512Mi</c>, <c>1Gi</c>), as upstream requires for limits.</summary>
public readonly record struct MemorySize(long Bytes, string Text) : ISpecScalar<MemorySize>
{
    public static string SyntaxDescription => "a positive whole number with Ki, Mi, Gi or Ti (512Mi, 1Gi)";

    public static bool TryParse(string text, out MemorySize value, out string error)
    {
        value = default;
        var s = text.Trim();
        long multiplier = s.Length < 3 ? 0 : s[^2..] switch
        {
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            "Ti" => 1L << 40,
            _ => 0,
        };
        if (multiplier == 0)
        {
            error = $"invalid memory size '{text}': write a whole number with Ki, Mi, Gi or Ti, e.g. 512Mi";
            return false;
        }

        var digits = s[..^2];
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) ||
            !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            error = $"invalid memory size '{text}': write a whole number with Ki, Mi, Gi or Ti, e.g. 512Mi";
            return false;
        }

        if (number == 0)
        {
            error = $"invalid memory size '{text}': must be greater than zero";
            return false;
        }

        if (number > long.MaxValue / multiplier)
        {
            error = $"invalid memory size '{text}': too large";
            return false;
        }

        value = new MemorySize(number * multiplier, s);
        error = "";
        return true;
    }

    public string ToSpecString() => Text;

    public override string ToString() => Text;
}
