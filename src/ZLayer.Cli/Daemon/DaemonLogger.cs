using System.Text.Json;
using ZLayer.Cli.Terminal;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// The daemon's structured log on stderr: aligned text on a terminal, one JSON object per line
/// with <c>--log-format json</c> (for journald, Loki and friends). Never given secret values.
/// </summary>
/// <param name="output">Where lines go: stderr by default; <c>zlayer up</c> gives a file so the daemon it hosts does not interleave with its progress display.</param>
public sealed class DaemonLogger(bool json, TextWriter? output = null)
{
    private readonly ConsoleStyle _style = output is null ? ConsoleStyle.ForStderr() : new ConsoleStyle(false);
    private readonly TextWriter _output = output ?? Console.Error;
    private readonly Lock _lock = new();

    /// <summary>Whether lines go to a terminal a person watches (stderr, not redirected), not to a file or a log collector.</summary>
    public bool ToTerminal { get; } = output is null && !Console.IsErrorRedirected;

    public void Info(string message, params (string Key, object? Value)[] fields) => Write("info", message, fields);

    public void Warn(string message, params (string Key, object? Value)[] fields) => Write("warn", message, fields);

    public void Error(string message, params (string Key, object? Value)[] fields) => Write("error", message, fields);

    private void Write(string level, string message, (string Key, object? Value)[] fields)
    {
        var now = DateTimeOffset.UtcNow;
        string line;
        if (json)
        {
            var record = new Dictionary<string, object?> { ["time"] = now.ToString("O"), ["level"] = level, ["msg"] = message };
            foreach (var (key, value) in fields)
            {
                record[key] = value;
            }

            line = JsonSerializer.Serialize(record);
        }
        else
        {
            var levelText = level switch { "error" => _style.Red("ERROR"), "warn" => _style.Yellow("WARN "), _ => _style.Dim("INFO ") };
            var extra = string.Concat(fields.Where(f => f.Value is not null).Select(f => $" {_style.Dim(f.Key + "=")}{f.Value}"));
            line = $"{_style.Dim(now.ToString("HH:mm:ss.fff"))} {levelText} {message}{extra}";
        }

        lock (_lock)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
