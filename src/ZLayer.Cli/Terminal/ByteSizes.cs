using System.Globalization;

namespace ZLayer.Cli.Terminal;

/// <summary>Byte counts for people (<c>812 B</c>, <c>4.2 MiB</c>), in the binary units the spec's sizes use.</summary>
public static class ByteSizes
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB"];

    public static string Format(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
