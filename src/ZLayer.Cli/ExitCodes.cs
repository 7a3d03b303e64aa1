namespace ZLayer.Cli;

/// <summary>The exit codes users and scripts rely on (docker, git and most CLIs agree on these).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
