using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace ZLayer.Runtime.Process;

/// <summary>
/// Reads a replica's log files (log.1, then log) as lines, with tail, since and follow. The shim
/// rotates by renaming log to log.1 and opening a new log; a follower holds the file it reads open,
/// so it finishes the renamed file before it moves to the new one, and loses nothing unless the shim
/// rotates more than twice between two looks (<see cref="FollowInterval"/>).
/// </summary>
internal sealed class ReplicaLogReader(ReplicaFiles files, TimeProvider time)
{
    /// <summary>How often a follower looks for new output.</summary>
    public static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    private const int ChunkSize = 64 * 1024;

    public async IAsyncEnumerable<LogLine> ReadAsync(LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parser = new LogRecordParser();
        var current = Open(files.Log);
        try
        {
            if (options.Tail is { } tail)
            {
                foreach (var line in ReadTail(current, tail, options.Since, parser, includeUnfinished: !options.Follow))
                {
                    yield return line;
                }
            }
            else
            {
                using (var rotated = Open(files.RotatedLog))
                {
                    if (rotated is not null)
                    {
                        foreach (var line in Read(rotated, parser, options.Since))
                        {
                            yield return line;
                        }
                    }
                }
                if (current is not null)
                {
                    foreach (var line in Read(current, parser, options.Since))
                    {
                        yield return line;
                    }
                }
            }
            if (!options.Follow)
            {
                foreach (var line in parser.Flush())
                {
                    if (options.Since is not { } since || line.Timestamp >= since)
                    {
                        yield return line;
                    }
                }
                yield break;
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                if (!Directory.Exists(files.Directory))
                {
                    yield break;
                }
                var any = false;
                current ??= Open(files.Log);
                if (current is not null)
                {
                    foreach (var line in Read(current, parser, options.Since))
                    {
                        any = true;
                        yield return line;
                    }
                    var now = PathOf(current.Handle);
                    if (now is not null && now != Path.GetFullPath(files.Log))
                    {
                        // Rotated. The shim may have written more to the old file between the read
                        // above and the rename; after the rename it writes only to the new file, so
                        // one more read drains the old one. If it was rotated twice since the last
                        // look (it is no longer log.1), the file in between is log.1 now: read it too.
                        foreach (var line in Read(current, parser, options.Since))
                        {
                            yield return line;
                        }
                        current.Dispose();
                        current = null;
                        if (now != Path.GetFullPath(files.RotatedLog))
                        {
                            using var between = Open(files.RotatedLog);
                            if (between is not null)
                            {
                                foreach (var line in Read(between, parser, options.Since))
                                {
                                    yield return line;
                                }
                            }
                        }
                        continue;
                    }
                }
                if (!any && parser.HasPartial && File.Exists(files.Exit))
                {
                    // The program has exited: an unfinished last line will not be finished.
                    foreach (var line in parser.Flush())
                    {
                        yield return line;
                    }
                }
                try
                {
                    await Task.Delay(FollowInterval, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>
    /// The last <paramref name="tail"/> lines (after the since filter; a line that has not ended
    /// counts when <paramref name="includeUnfinished"/>), leaving <paramref name="current"/>
    /// at its end for a follower. The rotated log is read only when the current one has too few lines.
    /// </summary>
    private List<LogLine> ReadTail(LogCursor? current, int tail, DateTimeOffset? since, LogRecordParser parser, bool includeUnfinished)
    {
        var lines = new Queue<LogLine>();
        if (current is not null)
        {
            foreach (var line in Read(current, parser, since))
            {
                Keep(lines, line, tail);
            }
        }
        if (includeUnfinished)
        {
            foreach (var line in parser.Flush().Where(l => since is not { } s || l.Timestamp >= s))
            {
                Keep(lines, line, tail);
            }
        }
        if (lines.Count >= tail)
        {
            return [.. lines];
        }
        var earlier = new Queue<LogLine>();
        using (var rotated = Open(files.RotatedLog))
        {
            if (rotated is not null)
            {
                var rotatedParser = new LogRecordParser();
                foreach (var line in Read(rotated, rotatedParser, since))
                {
                    Keep(earlier, line, tail - lines.Count);
                }
                foreach (var line in rotatedParser.Flush())
                {
                    Keep(earlier, line, tail - lines.Count);
                }
            }
        }
        return [.. earlier, .. lines];
    }

    private static void Keep(Queue<LogLine> lines, LogLine line, int limit)
    {
        if (limit <= 0)
        {
            return;
        }
        if (lines.Count == limit)
        {
            lines.Dequeue();
        }
        lines.Enqueue(line);
    }

    /// <summary>
    /// Lines from whole records from the cursor's offset to the end of the file, lazily (a log can
    /// be as large as its rotation limit); an unfinished record waits in the cursor's carry.
    /// </summary>
    private static IEnumerable<LogLine> Read(LogCursor cursor, LogRecordParser parser, DateTimeOffset? since)
    {
        var buffer = new byte[ChunkSize];
        while (true)
        {
            var n = RandomAccess.Read(cursor.Handle, buffer, cursor.Offset);
            if (n <= 0)
            {
                yield break;
            }
            cursor.Offset += n;
            var start = 0;
            while (start < n)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, n - start);
                if (newline < 0)
                {
                    cursor.Carry.AddRange(buffer.AsSpan(start, n - start));
                    break;
                }
                LogLine? line;
                if (cursor.Carry.Count > 0)
                {
                    cursor.Carry.AddRange(buffer.AsSpan(start, newline - start));
                    line = parser.Add(cursor.Carry.ToArray());
                    cursor.Carry.Clear();
                }
                else
                {
                    line = parser.Add(buffer.AsSpan(start, newline - start));
                }
                start = newline + 1;
                if (line is not null && (since is not { } s || line.Timestamp >= s))
                {
                    yield return line;
                }
            }
        }
    }

    /// <summary>An open log file and how far it has been read.</summary>
    private sealed class LogCursor(SafeFileHandle handle) : IDisposable
    {
        public SafeFileHandle Handle { get; } = handle;

        public long Offset { get; set; }

        public List<byte> Carry { get; } = [];

        public void Dispose() => Handle.Dispose();
    }

    private static LogCursor? Open(string path)
    {
        try
        {
            return new LogCursor(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
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

    /// <summary>
    /// Where the open file is now (the kernel renames /proc/self/fd links with the file, and appends
    /// " (deleted)" once it is unlinked); null if that cannot be read.
    /// </summary>
    private static string? PathOf(SafeFileHandle handle) =>
        new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
}
