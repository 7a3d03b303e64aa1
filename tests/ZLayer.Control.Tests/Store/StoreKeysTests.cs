using ZLayer.Control.Store.Sqlite;

namespace ZLayer.Control.Tests.Store;

public sealed class StoreKeysTests
{
    [Theory]
    [InlineData("a/", "a0")]
    [InlineData("a", "b")]
    [InlineData("é", "ê")]
    [InlineData("x\uD7FF", "x\uE000")]
    [InlineData("x\U0010FFFF", "y")]
    [InlineData("x😀", "x😁")]
    public void PrefixEndIsTheNextStringAfterEveryKeyWithThePrefix(string prefix, string end) =>
        Assert.Equal(end, StoreKeys.PrefixEnd(prefix));

    [Theory]
    [InlineData("")]
    [InlineData("\U0010FFFF\U0010FFFF")]
    public void PrefixEndIsUnboundedWhenNoStringFollows(string prefix) =>
        Assert.Null(StoreKeys.PrefixEnd(prefix));

    [Fact]
    public void EmptyKeysAndLoneSurrogatesAreRefused()
    {
        // Not theory data: lone surrogates do not survive the test runner's serialisation of arguments.
        foreach (var key in new[] { "", "bad\uD800", "\uDC00bad", "a\uD800\uD800b" })
        {
            Assert.Throws<ArgumentException>(() => StoreKeys.Validate(key, "key"));
        }

        StoreKeys.Validate("ok😀", "key");
    }
}
