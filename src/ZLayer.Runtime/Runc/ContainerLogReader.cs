using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// Reads conmon's log file (the Kubernetes CRI format: <c>TIME STREAM F|P TEXT</c>, where P marks
/// a line cut short and continued on the next record) with tail, since and follow. When the file
/// outgrows its limit conmon replaces it with a fresh one; a follower notices the file is shorter
/// than what it has read and goes on from the new file's start (what the old file gained after the
/// follower's last look is lost; with the default limit that takes megabytes within one interval).
/// </summary>
internal sealed class ContainerLogReader(string path)
{
    public static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    public async IAsyncEnumerable<LogLine> ReadAsync(LogOptions options, Func<bool> stillThere, [EnumeratorCancellation] CancellationToken ct)
    {
        var partial = new Dictionary<LogStream, StringBuilder>();
        long offset = 0;
        var lines = new List<LogLine>();
        var pending = "";

        // First pass: what is there now, tail applied to whole lines.
        foreach (var line in ReadFrom(ref offset, ref pending, partial))
        {
            if (options.Since is not { } since || line.Timestamp >= since)
            {
                lines.Add(line);
            }
        }

        foreach (var line in options.Tail is { } tail ? lines.Skip(Math.Max(0, lines.Count - tail)) : lines)
        {
            yield return line;
        }

        if (!options.Follow)
        {
            yield break;
        }

        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FollowInterval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            foreach (var line in ReadFrom(ref offset, ref pending, partial))
            {
                yield return line;
            }

            if (!stillThere())
            {
                yield break;
            }
        }
    }

    private IEnumerable<LogLine> ReadFrom(ref long offset, ref string pending, Dictionary<LogStream, StringBuilder> partial)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        string chunk;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (file.Length < offset)
            {
                // conmon replaced the file: what is in the new one is all new.
                offset = 0;
                pending = "";
            }

            file.Seek(offset, SeekOrigin.Begin);
            using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
            chunk = reader.ReadToEnd();
            offset = file.Length;
        }

        var text = pending + chunk;
        var end = text.LastIndexOf('\n');
        pending = end < 0 ? text : text[(end + 1)..];
        var result = new List<LogLine>();
        if (end < 0)
        {
            return result;
        }

        foreach (var record in text[..end].Split('\n'))
        {
            if (Parse(record) is not { } parsed)
            {
                continue;
            }

            var (time, stream, complete, content) = parsed;
            if (!partial.TryGetValue(stream, out var builder))
            {
                partial[stream] = builder = new StringBuilder();
            }

            builder.Append(content);
            if (complete)
            {
                result.Add(new LogLine(time, stream, builder.ToString()));
                builder.Clear();
            }
        }

        return result;
    }

    internal static (DateTimeOffset Time, LogStream Stream, bool Complete, string Text)? Parse(string record)
    {
        var parts = record.Split(' ', 4);
        if (parts.Length < 3 || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return null;
        }

        var stream = parts[1] == "stderr" ? LogStream.Stderr : LogStream.Stdout;
        return (time, stream, parts[2] != "P", parts.Length == 4 ? parts[3] : "");
    }
}
