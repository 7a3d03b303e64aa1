using System.Diagnostics;

namespace ZLayer.EndToEnd;

/// <summary>Colour on a terminal only, never with NO_COLOR: checked under a real pseudo-terminal (util-linux script).</summary>
public sealed class TerminalTests
{
    private static async Task<string> RunOnTerminalAsync(string workingDirectory, string command, bool noColor)
    {
        var start = new ProcessStartInfo("script", ["-qec", command, "/dev/null"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        start.Environment["TERM"] = "xterm";
        start.Environment.Remove("NO_COLOR");
        if (noColor)
        {
            start.Environment["NO_COLOR"] = "1";
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        return output;
    }

    [Fact]
    public async Task Diagnostics_are_coloured_on_a_terminal()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", "version: v2\ndeployment: demo\n");
        var output = await RunOnTerminalAsync(dir.Path, $"{ZLayerProcess.RepositoryRoot}/zlayer validate", noColor: false);
        Assert.Contains("\u001b[31merror\u001b[0m", output);
    }

    [Fact]
    public async Task No_colour_with_NO_COLOR_even_on_a_terminal()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", "version: v2\ndeployment: demo\n");
        var output = await RunOnTerminalAsync(dir.Path, $"{ZLayerProcess.RepositoryRoot}/zlayer validate", noColor: true);
        Assert.Contains("error: version must be", output);
        // Only colour (SGR) sequences count: the .NET console itself may switch the keypad mode on a terminal.
        Assert.DoesNotMatch("\u001b\\[[0-9;]*m", output);
    }
}
