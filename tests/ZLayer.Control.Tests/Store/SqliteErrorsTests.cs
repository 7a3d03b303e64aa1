using Microsoft.Data.Sqlite;
using ZLayer.Control.Store.Sqlite;

namespace ZLayer.Control.Tests.Store;

public sealed class SqliteErrorsTests
{
    [Theory]
    [InlineData(13, "the store at /var/lib/zlayer/state.db cannot be written: disk full")]
    [InlineData(8, "the store at /var/lib/zlayer/state.db cannot be written: the file or its file system is read-only")]
    [InlineData(8 | (1 << 8), "the store at /var/lib/zlayer/state.db cannot be written: the file or its file system is read-only")]
    [InlineData(10 | (3 << 8), "the store at /var/lib/zlayer/state.db cannot be written: I/O error (disk I/O error)")]
    [InlineData(26, "the store at /var/lib/zlayer/state.db cannot be used: the file is not a SQLite database")]
    public void UnavailabilityErrorsNameTheFileAndTheCause(int code, string message)
    {
        var translated = SqliteErrors.Translate(new SqliteException("disk I/O error.", code), "/var/lib/zlayer/state.db");

        Assert.NotNull(translated);
        Assert.Equal(message, translated.Message);
        Assert.IsType<SqliteException>(translated.InnerException);
    }

    [Fact]
    public void OtherErrorsAreLeftAlone() =>
        Assert.Null(SqliteErrors.Translate(new SqliteException("constraint failed", 19), "/x.db"));
}
