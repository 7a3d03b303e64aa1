using System.Globalization;

namespace ZLayer.Runtime.Process;

/// <summary>
/// The shim's "pid" file: "&lt;pid&gt; &lt;starttime&gt; &lt;shim pid&gt; &lt;shim starttime&gt; ok" once the program
/// runs, or "... &lt;call&gt; &lt;errno&gt; &lt;message&gt;" when chdir or exec failed.
/// </summary>
internal sealed record ShimStatus(int Pid, long StartTime, int ShimPid, long ShimStartTime, string? Failure)
{
    private const int ENOENT = 2;

    /// <summary>Reads the file; null while it does not exist yet (the shim writes it by rename, so it is whole).</summary>
    public static ShimStatus? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        return Parse(text);
    }

    public static ShimStatus? Parse(string text)
    {
        var parts = text.TrimEnd('\n').Split(' ', 6);
        if (parts.Length < 5
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var shimPid)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var shimStart))
        {
            return null;
        }
        if (parts[4] == "ok")
        {
            return new ShimStatus(pid, start, shimPid, shimStart, null);
        }
        // "<call> <errno> <strerror>"; strerror is lower-cased as Go and Docker print it.
        var call = parts[4];
        var errno = parts.Length > 5 ? parts[5].Split(' ', 2) : [];
        var message = errno.Length > 1 ? errno[1] : "unknown error";
        var code = errno.Length > 0 && int.TryParse(errno[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var failure = call switch
        {
            "chdir" when code == ENOENT => "chdir to the working directory: no such file or directory",
            "chdir" => $"chdir to the working directory: {Lower(message)}",
            _ => Lower(message),
        };
        return new ShimStatus(pid, start, shimPid, shimStart, failure);
    }

    private static string Lower(string message) =>
        message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;

    /// <summary>Reads the shim's "exit" file: the status and when it was written; null while absent.</summary>
    public static (int Code, DateTimeOffset At)? ReadExit(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                return null;
            }
            return (code, new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
