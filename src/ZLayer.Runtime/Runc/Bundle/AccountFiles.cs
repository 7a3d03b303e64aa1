using System.Globalization;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>One line of /etc/passwd.</summary>
public sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);

/// <summary>One line of /etc/group.</summary>
public sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);

/// <summary>
/// Parses an image's /etc/passwd and /etc/group the way libc's files backend reads them: colon
/// separated, comments and NIS compat lines (+/-) ignored, lines with too few fields or a
/// non-numeric id skipped, first match wins.
/// </summary>
public static class AccountFiles
{
    public static IReadOnlyList<PasswdEntry> ParsePasswd(string text)
    {
        var entries = new List<PasswdEntry>();
        foreach (var fields in Lines(text))
        {
            if (fields.Length >= 6 && TryId(fields[2], out var uid) && TryId(fields[3], out var gid))
            {
                entries.Add(new PasswdEntry(fields[0], uid, gid, fields[5]));
            }
        }

        return entries;
    }

    public static IReadOnlyList<GroupEntry> ParseGroup(string text)
    {
        var entries = new List<GroupEntry>();
        foreach (var fields in Lines(text))
        {
            if (fields.Length >= 3 && TryId(fields[2], out var gid))
            {
                var members = fields.Length > 3
                    ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : [];
                entries.Add(new GroupEntry(fields[0], gid, members));
            }
        }

        return entries;
    }

    /// <summary>A uid or gid as the kernel takes it: a decimal number below (uid_t)-1, which means "no change".</summary>
    public static bool TryId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id != uint.MaxValue;

    private static IEnumerable<string[]> Lines(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] is '#' or '+' or '-')
            {
                continue;
            }

            var fields = line.Split(':');
            if (fields[0].Length > 0)
            {
                yield return fields;
            }
        }
    }
}
