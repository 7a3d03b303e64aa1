using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ZLayer.Runtime.Process;

/// <summary>The fields of /proc/PID/stat the process runtime uses.</summary>
/// <param name="StartTime">Field 22: clock ticks after boot at which the process started; with the pid it names a process uniquely, across PID reuse.</param>
internal readonly record struct ProcStat(
    int Pid,
    char State,
    int ParentPid,
    int ProcessGroup,
    int Session,
    long UserTicks,
    long SystemTicks,
    long StartTime,
    long RssPages)
{
    /// <summary>A zombie has exited; only its parent has not collected the status yet.</summary>
    public bool IsZombie => State is 'Z' or 'X';
}

/// <summary>Reads process facts from /proc (Linux).</summary>
internal static class ProcFs
{
    /// <summary>The stat of <paramref name="pid"/>, or null when no such process exists.</summary>
    public static ProcStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        return ParseStat(text);
    }

    /// <summary>Parses one /proc/PID/stat line; null if it is not one.</summary>
    public static ProcStat? ParseStat(string text)
    {
        // Field 2 is the command name in parentheses and may itself hold spaces and ')'.
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 1 || close < open || close + 2 > text.Length)
        {
            return null;
        }
        if (!int.TryParse(text.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }
        var rest = text[(close + 2)..].Split(' ');
        // rest[0] is field 3; field N is rest[N - 3].
        if (rest.Length < 22 || rest[0].Length != 1)
        {
            return null;
        }
        long Field(int n) => long.Parse(rest[n - 3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        try
        {
            return new ProcStat(pid, rest[0][0], (int)Field(4), (int)Field(5), (int)Field(6), Field(14), Field(15), Field(22), Field(24));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="pid"/> is the very process that started at <paramref name="startTime"/> and has not exited.</summary>
    public static bool IsAlive(int pid, long startTime) =>
        ReadStat(pid) is { } stat && stat.StartTime == startTime && !stat.IsZombie;

    private static readonly Lock ScanLock = new();
    private static long _scanStartedAt = long.MinValue;
    private static ILookup<int, ProcStat>? _bySession;

    /// <summary>Every live (non-zombie) process whose session is <paramref name="session"/>, from a fresh look at /proc.</summary>
    public static List<ProcStat> SessionMembers(int session) => SessionMembers(session, Stopwatch.GetTimestamp());

    /// <summary>
    /// The same from any scan of /proc begun at or after <paramref name="notBefore"/> (a
    /// <see cref="Stopwatch"/> timestamp). Stopping a hundred replicas at once asks whether each
    /// session is empty many times a second; a scan begun after a replica was signalled answers
    /// that for it as well as a scan of its own (a session with no member then cannot gain one),
    /// so concurrent stops share scans instead of reading /proc once each.
    /// </summary>
    public static List<ProcStat> SessionMembers(int session, long notBefore) => [.. BySession(notBefore)[session]];

    private static ILookup<int, ProcStat> BySession(long notBefore)
    {
        lock (ScanLock)
        {
            if (_bySession is { } shared && _scanStartedAt >= notBefore)
            {
                return shared;
            }

            var started = Stopwatch.GetTimestamp();
            var live = new List<ProcStat>();
            foreach (var entry in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(entry.AsSpan());
                if (name.IsEmpty || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }
                if (ReadStat(pid) is { } stat && !stat.IsZombie)
                {
                    live.Add(stat);
                }
            }
            _bySession = live.ToLookup(p => p.Session);
            _scanStartedAt = started;
            return _bySession;
        }
    }

    /// <summary>The environment a process was started with (/proc/PID/environ), or null if it cannot be read.</summary>
    public static Dictionary<string, string>? ReadEnvironment(int pid)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Encoding.UTF8.GetString(raw).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=', 1);
            if (eq > 0)
            {
                env[entry[..eq]] = entry[(eq + 1)..];
            }
        }
        return env;
    }

    /// <summary>Clock ticks per second of the times in /proc/PID/stat (USER_HZ: 100 on every Linux ABI .NET runs on).</summary>
    public const int TicksPerSecond = 100;
}
