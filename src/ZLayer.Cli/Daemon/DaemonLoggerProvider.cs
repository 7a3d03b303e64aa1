using Microsoft.Extensions.Logging;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// Routes the web host's ILogger output (Kestrel, ASP.NET Core) into the daemon's log, so that
/// with <c>--log-format json</c> every line on stderr is one JSON object, theirs included, with
/// their category and structured values as fields.
/// </summary>
public sealed class DaemonLoggerProvider(DaemonLogger log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CategoryLogger(log, categoryName);

    public void Dispose()
    {
    }

    private sealed class CategoryLogger(DaemonLogger log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // The daemon's log has no debug level; the host's filters decide the rest.
        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var fields = new List<(string, object?)>();
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                // The message template itself is already rendered into the message.
                fields.AddRange(values.Where(v => v.Key != "{OriginalFormat}").Select(v => (v.Key, v.Value)));
            }

            if (eventId.Id != 0)
            {
                fields.Add(("event_id", eventId.Id));
            }

            var level = logLevel switch { LogLevel.Warning => "warn", >= LogLevel.Error => "error", _ => "info" };
            log.Write(level, category, formatter(state, exception), exception, fields);
        }
    }
}
