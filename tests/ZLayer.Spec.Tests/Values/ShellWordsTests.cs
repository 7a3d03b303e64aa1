using ZLayer.Spec.Values;

namespace ZLayer.Spec.Tests.Values;

public sealed class ShellWordsTests
{
    [Theory]
    [InlineData("redis-server --appendonly yes", new[] { "redis-server", "--appendonly", "yes" })]
    [InlineData("  spaced   out\tand\nlines ", new[] { "spaced", "out", "and", "lines" })]
    [InlineData("sh -c 'echo $HOME; ls'", new[] { "sh", "-c", "echo $HOME; ls" })]
    [InlineData("echo \"a \\\"quoted\\\" word\"", new[] { "echo", "a \"quoted\" word" })]
    [InlineData("echo \"keep \\n as is\"", new[] { "echo", "keep \\n as is" })]
    [InlineData("a\\ b c", new[] { "a b", "c" })]
    [InlineData("''", new[] { "" })]
    [InlineData("x'y'\"z\"", new[] { "xyz" })]
    [InlineData("", new string[0])]
    public void Splits_like_a_posix_shell(string text, string[] words)
    {
        Assert.True(ShellWords.TrySplit(text, out var split, out var error), error);
        Assert.Equal(words, split);
    }

    [Theory]
    [InlineData("echo 'oops", "unterminated single quote")]
    [InlineData("echo \"oops", "unterminated double quote")]
    public void Unterminated_quotes_are_errors(string text, string error)
    {
        Assert.False(ShellWords.TrySplit(text, out _, out var message));
        Assert.Equal(error, message);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("http://localhost:8080/health?x=1", "'http://localhost:8080/health?x=1'")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("$HOME", "'$HOME'")]
    public void Quotes_only_where_the_shell_would_split_or_expand(string word, string quoted)
    {
        Assert.Equal(quoted, ShellWords.Quote(word));
    }

    public static TheoryData<string[]> WordLists => new()
    {
        new[] { "curl", "-f", "http://localhost/" },
        new[] { "sh", "-c", "echo 'hi' && exit 1" },
        new[] { "", "a b", "it's", "$X", "tab\there", "quote\"d", "back\\slash" },
    };

    [Theory]
    [MemberData(nameof(WordLists))]
    public void Join_then_split_gives_the_words_back(string[] words)
    {
        Assert.True(ShellWords.TrySplit(ShellWords.Join(words), out var again, out _));
        Assert.Equal(words, again);
    }
}
