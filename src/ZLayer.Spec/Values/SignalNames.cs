using System.Globalization;

namespace ZLayer.Spec.Values;

/// <summary>Linux signal names and numbers, as written in <c>stop_signal</c>.</summary>
public static class SignalNames
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1,
        ["INT"] = 2,
        ["QUIT"] = 3,
        ["ILL"] = 4,
        ["TRAP"] = 5,
        ["ABRT"] = 6,
        ["BUS"] = 7,
        ["FPE"] = 8,
        ["KILL"] = 9,
        ["USR1"] = 10,
        ["SEGV"] = 11,
        ["USR2"] = 12,
        ["PIPE"] = 13,
        ["ALRM"] = 14,
        ["TERM"] = 15,
        ["STKFLT"] = 16,
        ["CHLD"] = 17,
        ["CONT"] = 18,
        ["STOP"] = 19,
        ["TSTP"] = 20,
        ["TTIN"] = 21,
        ["TTOU"] = 22,
        ["URG"] = 23,
        ["XCPU"] = 24,
        ["XFSZ"] = 25,
        ["VTALRM"] = 26,
        ["PROF"] = 27,
        ["WINCH"] = 28,
        ["IO"] = 29,
        ["PWR"] = 30,
        ["SYS"] = 31,
    };

    /// <summary>The signal number of <c>SIGTERM</c>, <c>TERM</c> or <c>15</c>; null when it is none.</summary>
    public static int? ToNumber(string signal)
    {
        var s = signal.Trim();
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n is >= 1 and <= 64 ? n : null;
        }

        if (s.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
        {
            s = s[3..];
        }

        return Numbers.TryGetValue(s, out var number) ? number : null;
    }

    public static bool IsValid(string signal) => ToNumber(signal) is not null;
}
