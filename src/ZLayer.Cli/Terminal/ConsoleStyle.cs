namespace ZLayer.Cli.Terminal;

/// <summary>
/// ANSI colour for one output stream: only when it is a terminal, never with NO_COLOR
/// (https://no-color.org) or TERM=dumb.
/// </summary>
public sealed class ConsoleStyle(bool enabled)
{
    public bool Enabled { get; } = enabled;

    public static ConsoleStyle ForStdout() => new(ColourAllowed() && !Console.IsOutputRedirected);

    public static ConsoleStyle ForStderr() => new(ColourAllowed() && !Console.IsErrorRedirected);

    private static bool ColourAllowed() =>
        Environment.GetEnvironmentVariable("NO_COLOR") is null or "" &&
        Environment.GetEnvironmentVariable("TERM") != "dumb";

    public string Red(string text) => Wrap("31", text);

    public string Yellow(string text) => Wrap("33", text);

    public string Green(string text) => Wrap("32", text);

    public string Bold(string text) => Wrap("1", text);

    public string Dim(string text) => Wrap("2", text);

    private string Wrap(string code, string text) => Enabled ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
