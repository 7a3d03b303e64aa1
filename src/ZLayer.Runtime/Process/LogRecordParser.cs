using System.Globalization;
using System.Text;

namespace ZLayer.Runtime.Process;

/// <summary>
/// Turns the shim's log records ("&lt;time&gt; &lt;stdout|stderr&gt; &lt;F|P&gt; &lt;text&gt;") back into lines:
/// P records are pieces of a line that the next records of the same stream continue, and a line
/// carries the time of its first piece. Bytes are kept until a line is whole so that a UTF-8
/// character split between two pieces decodes correctly.
/// </summary>
internal sealed class LogRecordParser
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private readonly MemoryStream?[] _pending = new MemoryStream?[2];
    private readonly DateTimeOffset[] _pendingSince = new DateTimeOffset[2];

    /// <summary>Adds one record (without its newline); returns the line it completes, if any. Malformed records are skipped.</summary>
    public LogLine? Add(ReadOnlySpan<byte> record)
    {
        // 27 bytes of time, then " stdout F " or " stderr F ".
        const int timeLength = 27;
        if (record.Length < timeLength + 10 || record[timeLength] != (byte)' ' || record[timeLength + 7] != (byte)' ' || record[timeLength + 9] != (byte)' ')
        {
            return null;
        }
        if (!DateTimeOffset.TryParseExact(Encoding.ASCII.GetString(record[..timeLength]), TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return null;
        }
        var streamName = record.Slice(timeLength + 1, 6);
        LogStream stream;
        if (streamName.SequenceEqual("stdout"u8))
        {
            stream = LogStream.Stdout;
        }
        else if (streamName.SequenceEqual("stderr"u8))
        {
            stream = LogStream.Stderr;
        }
        else
        {
            return null;
        }
        var kind = record[timeLength + 8];
        var text = record[(timeLength + 10)..];
        var i = (int)stream;
        if (kind == (byte)'P')
        {
            if (_pending[i] is null)
            {
                _pending[i] = new MemoryStream();
                _pendingSince[i] = time;
            }
            _pending[i]!.Write(text);
            return null;
        }
        if (kind != (byte)'F')
        {
            return null;
        }
        if (_pending[i] is { } pending)
        {
            pending.Write(text);
            _pending[i] = null;
            return new LogLine(_pendingSince[i], stream, Encoding.UTF8.GetString(pending.GetBuffer(), 0, (int)pending.Length));
        }
        return new LogLine(time, stream, Encoding.UTF8.GetString(text));
    }

    /// <summary>True while a line has begun but not ended.</summary>
    public bool HasPartial => _pending[0] is not null || _pending[1] is not null;

    /// <summary>Ends the unfinished lines (output that ended without a newline), oldest first.</summary>
    public List<LogLine> Flush()
    {
        var lines = new List<LogLine>();
        for (var i = 0; i < _pending.Length; i++)
        {
            if (_pending[i] is { } pending)
            {
                lines.Add(new LogLine(_pendingSince[i], (LogStream)i, Encoding.UTF8.GetString(pending.GetBuffer(), 0, (int)pending.Length)));
                _pending[i] = null;
            }
        }
        lines.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return lines;
    }
}
