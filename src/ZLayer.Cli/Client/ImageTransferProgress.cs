using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ZLayer.Cli.Terminal;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>Which way an image's blobs travel, for the words the progress uses.</summary>
public enum ImageTransferKind
{
    Pull,
    Push,
    Import,
}

/// <summary>
/// Shows a pull, push or import as the daemon streams it, on stderr: on a terminal one line per
/// blob (short digest, phase, bar, bytes) redrawn in place; otherwise one line per step, without
/// byte counts, so a CI log stays short; nothing with <c>quiet</c>. Ends with the stream's
/// outcome line, or throws the daemon's problem when the operation failed.
/// </summary>
public sealed class ImageTransferProgress(ImageTransferKind kind, bool quiet)
{
    private const int BarWidth = 20;

    /// <summary>How often the terminal frame is redrawn at most while only byte counts change.</summary>
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly ConsoleStyle _style = ConsoleStyle.ForStderr();
    private readonly bool _live = !quiet && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
    private readonly List<BlobState> _blobs = [];
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private string? _reference;
    private string _heading = "";
    private int _drawnLines;
    private bool _changed;

    /// <summary>The last step's message for each image, e.g. <c>pulled sha256:…</c> or <c>up to date</c>.</summary>
    public Dictionary<string, string> Outcomes { get; } = new(StringComparer.Ordinal);

    public async Task<ImageStreamLine> FollowAsync(IAsyncEnumerable<string> lines, CancellationToken ct)
    {
        await foreach (var text in lines.WithCancellation(ct))
        {
            var line = JsonSerializer.Deserialize<ImageStreamLine>(text, ClientJson.Options)
                ?? throw new DaemonUnreachableException("the daemon sent an empty progress line");
            if (line.Error is { } problem)
            {
                Draw(force: true);
                throw new ApiProblemException(problem);
            }

            if (line.Image is not null || line.Images is not null)
            {
                Draw(force: true);
                return line;
            }

            Apply(line);
        }

        throw new DaemonUnreachableException("the daemon ended the transfer without saying how it went (did it stop? see its log)");
    }

    private void Apply(ImageStreamLine line)
    {
        var reference = line.Reference ?? _reference ?? "";
        if (reference != _reference)
        {
            // An import may bring several images: each keeps its finished frame above the next.
            Draw(force: true);
            _reference = reference;
            _heading = Verb("resolving");
            _blobs.Clear();
            _drawnLines = 0;
        }

        var phase = line.Phase ?? "";
        var changed = true;
        if (line.Blob is { } digest)
        {
            var blob = _blobs.FirstOrDefault(b => b.Digest == digest);
            if (blob is null)
            {
                blob = new BlobState(digest);
                _blobs.Add(blob);
            }

            changed = blob.Phase != phase;
            var firstByteCount = phase == "downloading" && blob.Phase != "downloading";
            blob.Phase = phase;
            blob.Current = line.Current ?? blob.Current;
            blob.Total = line.Total is > 0 ? line.Total.Value : blob.Total;
            blob.Message = line.Message;
            if (!_live && !quiet && (changed || firstByteCount))
            {
                var size = phase == "downloading" && blob.Total > 0 ? $" ({ByteSizes.Format(blob.Total)})" : "";
                var detail = phase == "retrying" ? $" from {ByteSizes.Format(blob.Current)}: {line.Message}" : line.Message is { } m ? $": {m}" : "";
                Console.Error.WriteLine($"{Short(digest)}: {Verb(phase)}{size}{detail}");
            }
        }
        else
        {
            _heading = phase switch
            {
                "resolved" => $"{line.Message}{(line.Total is > 0 ? $", {ByteSizes.Format(line.Total.Value)}" : "")}",
                "done" => line.Message ?? "done",
                _ => line.Message is { } m ? $"{Verb(phase)}: {m}" : Verb(phase),
            };
            if (phase == "done")
            {
                Outcomes[reference] = line.Message ?? "done";
            }

            if (!_live && !quiet)
            {
                Console.Error.WriteLine($"{reference}: {_heading}");
            }
        }

        _changed = true;
        Draw(force: changed);
    }

    private void Draw(bool force)
    {
        if (!_live || _reference is null || !_changed || (!force && _sinceDraw.Elapsed < RedrawInterval))
        {
            return;
        }

        _sinceDraw.Restart();
        _changed = false;
        var frame = new StringBuilder();
        if (_drawnLines > 0)
        {
            frame.Append($"\u001b[{_drawnLines}A");
        }

        frame.Append($"\r{_style.Bold(_reference)}: {_heading}\u001b[K\n");
        var phaseWidth = _blobs.Count == 0 ? 0 : _blobs.Max(b => Verb(b.Phase).Length);
        foreach (var blob in _blobs)
        {
            var fraction = blob.Total > 0 ? Math.Clamp((double)blob.Current / blob.Total, 0, 1) : 0;
            var filled = (int)Math.Round(fraction * BarWidth);
            var complete = blob.Phase is "ready" or "present" or "downloaded";
            var bar = (complete ? _style.Green(new string('█', BarWidth)) : _style.Green(new string('█', filled)) + _style.Dim(new string('░', BarWidth - filled)));
            var verb = Verb(blob.Phase).PadRight(phaseWidth);
            var shownVerb = blob.Phase == "retrying" ? _style.Yellow(verb) : complete ? _style.Green(verb) : verb;
            var bytes = blob.Total > 0 ? $"{ByteSizes.Format(complete ? blob.Total : blob.Current)} / {ByteSizes.Format(blob.Total)}" : "";
            var note = blob.Message is { } m ? "  " + _style.Dim(m) : "";
            frame.Append($"\r  {Short(blob.Digest)}  {shownVerb}  {bar}  {bytes}{note}\u001b[K\n");
        }

        Console.Error.Write(frame.ToString());
        _drawnLines = 1 + _blobs.Count;
    }

    /// <summary>The phase in this transfer's words: a push sends what a pull fetches.</summary>
    private string Verb(string phase) => (kind, phase) switch
    {
        (ImageTransferKind.Push, "downloading") => "uploading",
        (ImageTransferKind.Push, "downloaded") => "pushed",
        (ImageTransferKind.Push, "present") => "exists",
        (_, "present") => "already present",
        _ => phase.Replace('_', ' '),
    };

    /// <summary>The first 12 hex digits, as docker shows layer IDs.</summary>
    public static string Short(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        var hex = colon >= 0 ? digest[(colon + 1)..] : digest;
        return hex.Length > 12 ? hex[..12] : hex;
    }

    private sealed class BlobState(string digest)
    {
        public string Digest { get; } = digest;

        public string Phase { get; set; } = "";

        public long Current { get; set; }

        public long Total { get; set; }

        public string? Message { get; set; }
    }
}
