using System.Globalization;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// The sizes the spec leaves as free text (<c>memory_swap</c>, <c>memory_reservation</c>): as the
/// upstream runtime reads them, a whole number of bytes, or with Ki/Mi/Gi/Ti (binary) or K/M/G/T
/// (decimal).
/// </summary>
public static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        var (digits, multiplier) = s.Length switch
        {
            > 2 when s.EndsWith('i') => (s[..^2], s[^2] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 0 }),
            > 1 when !char.IsAsciiDigit(s[^1]) => (s[..^1], s[^1] switch { 'K' => 1_000L, 'M' => 1_000_000L, 'G' => 1_000_000_000L, 'T' => 1_000_000_000_000L, _ => 0 }),
            _ => (s, 1L),
        };
        if (multiplier == 0 || digits.Length == 0 || !digits.All(char.IsAsciiDigit)
            || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = number * multiplier;
        return true;
    }
}
