using System.Text;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// Turns the engine's log output (asked for with timestamps=1, so each line starts with an
/// RFC 3339 time with nanoseconds and a space) into <see cref="LogLine"/>s. A frame may hold part of
/// a line or several lines, so each stream keeps its unfinished line until the rest arrives.
/// </summary>
internal sealed class DockerLogLines
{
    private readonly Dictionary<LogStream, StringBuilder> _pending = new()
    {
        [LogStream.Stdout] = new StringBuilder(),
        [LogStream.Stderr] = new StringBuilder(),
    };

    public IEnumerable<LogLine> Add(OutputFrame frame)
    {
        var pending = _pending[frame.Stream];
        pending.Append(Encoding.UTF8.GetString(frame.Payload.Span));
        var lines = new List<LogLine>();
        var text = pending.ToString();
        var start = 0;
        int newline;
        while ((newline = text.IndexOf('\n', start)) >= 0)
        {
            lines.Add(Parse(frame.Stream, text[start..newline]));
            start = newline + 1;
        }

        pending.Clear().Append(text[start..]);
        return lines;
    }

    /// <summary>What is left unfinished when the stream ends (output without a final newline).</summary>
    public IEnumerable<LogLine> Flush()
    {
        foreach (var (stream, pending) in _pending)
        {
            if (pending.Length > 0)
            {
                yield return Parse(stream, pending.ToString());
                pending.Clear();
            }
        }
    }

    private static LogLine Parse(LogStream stream, string line)
    {
        line = line.TrimEnd('\r');
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && DockerTime.Parse(line[..space]) is { } time)
        {
            return new LogLine(time, stream, line[(space + 1)..]);
        }

        // A continuation of a line the engine split (over 16 KiB) carries no time of its own.
        return new LogLine(DateTimeOffset.UtcNow, stream, line);
    }
}
