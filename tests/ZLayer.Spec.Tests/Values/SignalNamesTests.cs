using ZLayer.Spec.Values;

namespace ZLayer.Spec.Tests.Values;

public sealed class SignalNamesTests
{
    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("TERM", 15)]
    [InlineData("sigterm", 15)]
    [InlineData("SIGKILL", 9)]
    [InlineData("HUP", 1)]
    [InlineData("SIGUSR2", 12)]
    [InlineData("SIGWINCH", 28)]
    [InlineData("15", 15)]
    [InlineData(" 2 ", 2)]
    [InlineData("64", 64)]
    public void Names_and_numbers_map_to_linux_signals(string text, int number)
    {
        Assert.Equal(number, SignalNames.ToNumber(text));
        Assert.True(SignalNames.IsValid(text));
    }

    [Theory]
    [InlineData("SIGFOO")]
    [InlineData("SIG")]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("-9")]
    [InlineData("")]
    [InlineData("SIGTERM15")]
    public void Anything_else_is_not_a_signal(string text)
    {
        Assert.Null(SignalNames.ToNumber(text));
        Assert.False(SignalNames.IsValid(text));
    }
}
