using Microsoft.Data.Sqlite;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// Turns SQLite failures that mean "the file cannot take writes now" into <see cref="StoreUnavailableException"/>
/// with a message that names the file and the cause. SQLite rolls the failed transaction back, so the
/// exception's promise that nothing was changed holds.
/// </summary>
internal static class SqliteErrors
{
    // Primary result codes from sqlite3.h; extended codes carry more bits above the low byte.
    private const int Perm = 3;
    private const int Busy = 5;
    private const int Readonly = 8;
    private const int IoErr = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;

    public static StoreUnavailableException? Translate(SqliteException exception, string path)
    {
        var problem = (exception.SqliteErrorCode & 0xFF) switch
        {
            Full => "cannot be written: disk full",
            IoErr => $"cannot be written: I/O error ({exception.Message.TrimEnd('.')})",
            Readonly => "cannot be written: the file or its file system is read-only",
            Busy => "cannot be written: another program holds a lock on the database file",
            Perm => "cannot be used: permission denied",
            CantOpen => "cannot be used: the file cannot be opened (check that its directory exists and is writable)",
            Corrupt => "cannot be used: the database file is damaged",
            NotADatabase => "cannot be used: the file is not a SQLite database",
            _ => null,
        };
        return problem is null ? null : new StoreUnavailableException($"the store at {path} {problem}", exception);
    }

    /// <summary>Runs <paramref name="action"/>, translating unavailability errors.</summary>
    public static T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException e) when (Translate(e, path) is { } unavailable)
        {
            throw unavailable;
        }
    }
}
