using System.Globalization;

namespace ZLayer.Spec.Values;

/// <summary>
/// A Unix permission mode. The digits are read as octal whichever way they were written
/// (<c>1777</c>, <c>01777</c> and <c>0o1777</c> all mean 01777): upstream reads YAML <c>1777</c> as
/// decimal and so produces mode 3361, a trap we do not copy (SPEC.md Part A item 5).
/// </summary>
public readonly record struct PermissionMode(uint Value) : ISpecScalar<PermissionMode>
{
    public static string SyntaxDescription => "octal permission digits such as 1777, 0755 or 0o1777";

    public static bool TryParse(string text, out PermissionMode value, out string error)
    {
        value = default;
        var s = text.Trim();
        if (s.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        if (s.Length is 0 or > 5 || !s.All(c => c is >= '0' and <= '7'))
        {
            error = $"invalid mode '{text}': write octal digits, e.g. 1777 or 0755";
            return false;
        }

        var mode = Convert.ToUInt32(s, 8);
        if (mode > 0xFFF)
        {
            error = $"invalid mode '{text}': at most 7777";
            return false;
        }

        value = new PermissionMode(mode);
        error = "";
        return true;
    }

    public string ToSpecString() => "0" + Convert.ToString(Value, 8).PadLeft(3, '0');

    public override string ToString() => ToSpecString();

    public string ToOctal() => Convert.ToString(Value, 8).ToString(CultureInfo.InvariantCulture);
}
