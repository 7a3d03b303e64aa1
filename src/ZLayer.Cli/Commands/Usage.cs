namespace ZLayer.Cli.Commands;

/// <summary>Usage errors: a one-line message on stderr and exit code 2.</summary>
public static class Usage
{
    public static int Fail(string message)
    {
        Console.Error.WriteLine($"zlayer: {message}");
        return ExitCodes.Usage;
    }
}
