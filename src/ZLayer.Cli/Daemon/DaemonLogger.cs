using System.Text.Encodings.Web;
using System.Text.Json;
using ZLayer.Cli.Terminal;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// The daemon's structured log on stderr: aligned text on a terminal, one JSON object per line
/// with <c>--log-format json</c> (for journald, Loki and friends). A JSON line has <c>time</c>
/// (ISO 8601, UTC), <c>level</c> (info, warn, error), <c>category</c> (<c>zlayer.daemon</c> for the
/// daemon's own lines, the logger's category for the web host's), <c>msg</c>, the line's fields
/// at the top level, and <c>exception</c> (type, message, stack) when there is one. Never given
/// secret values.
/// </summary>
/// <param name="output">Where lines go: stderr by default; <c>zlayer up</c> gives a file so the daemon it hosts does not interleave with its progress display.</param>
public sealed class DaemonLogger(bool json, TextWriter? output = null)
{
    public const string DaemonCategory = "zlayer.daemon";

    /// <summary>Keys of every JSON line; a field of the same name is written with a trailing underscore instead of replacing them.</summary>
    private static readonly HashSet<string> Reserved = ["time", "level", "category", "msg", "exception"];

    /// <summary>Log lines are read by people and log shippers, never embedded in HTML: only what JSON requires is escaped.</summary>
    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConsoleStyle _style = output is null ? ConsoleStyle.ForStderr() : new ConsoleStyle(false);
    private readonly TextWriter _output = output ?? Console.Error;
    private readonly Lock _lock = new();

    /// <summary>Whether lines go to a terminal a person watches (stderr, not redirected), not to a file or a log collector.</summary>
    public bool ToTerminal { get; } = output is null && !Console.IsErrorRedirected;

    public void Info(string message, params (string Key, object? Value)[] fields) => Write("info", DaemonCategory, message, null, fields);

    public void Warn(string message, params (string Key, object? Value)[] fields) => Write("warn", DaemonCategory, message, null, fields);

    public void Error(string message, params (string Key, object? Value)[] fields) => Write("error", DaemonCategory, message, null, fields);

    /// <summary>An error with the exception that caused it: its type and message, and in JSON its stack too.</summary>
    public void Error(string message, Exception exception, params (string Key, object? Value)[] fields) => Write("error", DaemonCategory, message, exception, fields);

    /// <summary>Numbers and booleans stay JSON numbers and booleans; anything else is written as its text, so no value's shape can break a line.</summary>
    private static object? JsonValue(object? value) => value switch
    {
        null or string or bool or int or long or double or float or decimal or short or byte or uint or ulong => value,
        DateTimeOffset time => time.ToString("O"),
        _ => value.ToString(),
    };

    /// <summary>One line from any source (the web host's loggers come through here too).</summary>
    internal void Write(string level, string category, string message, Exception? exception, IReadOnlyList<(string Key, object? Value)> fields)
    {
        var now = DateTimeOffset.UtcNow;
        string line;
        if (json)
        {
            var record = new Dictionary<string, object?> { ["time"] = now.ToString("O"), ["level"] = level, ["category"] = category, ["msg"] = message };
            foreach (var (key, value) in fields)
            {
                record[Reserved.Contains(key) ? key + "_" : key] = JsonValue(value);
            }

            if (exception is not null)
            {
                record["exception"] = new Dictionary<string, string?>
                {
                    ["type"] = exception.GetType().FullName,
                    ["message"] = exception.Message,
                    ["stack"] = exception.ToString(),
                };
            }

            line = JsonSerializer.Serialize(record, LineOptions);
        }
        else
        {
            var levelText = level switch { "error" => _style.Red("ERROR"), "warn" => _style.Yellow("WARN "), _ => _style.Dim("INFO ") };
            var source = category == DaemonCategory ? "" : _style.Dim($"[{category}] ");
            var extra = string.Concat(fields.Where(f => f.Value is not null).Select(f => $" {_style.Dim(f.Key + "=")}{f.Value}"));
            var cause = exception is null ? "" : $" {_style.Dim("exception=")}{exception.GetType().Name}: {exception.Message}";
            line = $"{_style.Dim(now.ToString("HH:mm:ss.fff"))} {levelText} {source}{message}{extra}{cause}";
        }

        lock (_lock)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
