using System.Globalization;
using System.Text.RegularExpressions;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Compose byte values (<c>mem_limit</c>, <c>shm_size</c>, tmpfs sizes): a number with an optional unit
/// <c>b</c>, <c>k</c>, <c>m</c>, <c>g</c>, <c>t</c> (also <c>kb</c>, <c>Mi</c>, <c>GiB</c>...), any case,
/// all binary (Docker reads <c>512M</c> as 512 MiB), fractions allowed; a bare number is bytes.
/// </summary>
internal static partial class ComposeByteSize
{
    public const long Ki = 1024;
    public const long Mi = 1024 * Ki;

    public static bool TryParse(string text, out long bytes, out string error)
    {
        bytes = 0;
        var match = SizeRegex().Match(text.Trim());
        if (!match.Success || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"invalid size '{text}': expected a number with an optional unit, e.g. 512m, 1g or 1048576";
            return false;
        }

        var multiplier = char.ToLowerInvariant(match.Groups[2].Value.FirstOrDefault('b')) switch
        {
            'k' => Ki,
            'm' => Mi,
            'g' => 1024 * Mi,
            't' => 1024L * 1024 * Mi,
            _ => 1L,
        };
        try
        {
            // Docker truncates fractional bytes (1.5k = 1536, 0.1k = 102).
            bytes = (long)decimal.Truncate(checked(number * multiplier));
        }
        catch (OverflowException)
        {
            error = $"invalid size '{text}': too large";
            return false;
        }

        error = "";
        return true;
    }

    /// <summary>
    /// A byte count in the exact binary units the spec takes: whole MiB as <c>Mi</c>, else whole KiB as
    /// <c>Ki</c>; a count that is not whole KiB is rounded up to the next KiB and reported as inexact.
    /// </summary>
    public static string ToBinaryUnits(long bytes, out bool exact)
    {
        exact = bytes % Ki == 0;
        if (bytes % Mi == 0)
        {
            return (bytes / Mi).ToString(CultureInfo.InvariantCulture) + "Mi";
        }

        var kib = (bytes / Ki) + (exact ? 0 : 1);
        return kib.ToString(CultureInfo.InvariantCulture) + "Ki";
    }

    public static MemorySize ToMemorySize(long bytes, out bool exact)
    {
        var text = ToBinaryUnits(bytes, out exact);
        return MemorySize.TryParse(text, out var size, out _) ? size : new MemorySize(bytes, text);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?) ?(?:([bBkKmMgGtT])[iI]?[bB]?)?$")]
    private static partial Regex SizeRegex();
}
