namespace ZLayer.TestImages.Tools;

/// <summary>How an external program ended and what it printed.</summary>
public sealed record ToolResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public ToolResult EnsureSuccess() => Succeeded
        ? this
        : throw new InvalidOperationException($"'{Command}' exited {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");

    public override string ToString() => $"'{Command}' exited {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}
