namespace ZLayer.EndToEnd;

/// <summary>Colour on a terminal only, never with NO_COLOR: checked under a real pseudo-terminal (util-linux script).</summary>
public sealed class TerminalTests
{
    [Fact]
    public async Task Diagnostics_are_coloured_on_a_terminal()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", "version: v2\ndeployment: demo\n");
        var output = await PseudoTerminal.RunAsync(dir.Path, $"{ZLayerProcess.RepositoryRoot}/zlayer validate");
        Assert.Contains("\u001b[31merror\u001b[0m", output);
    }

    [Fact]
    public async Task No_colour_with_NO_COLOR_even_on_a_terminal()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", "version: v2\ndeployment: demo\n");
        var output = await PseudoTerminal.RunAsync(dir.Path, $"{ZLayerProcess.RepositoryRoot}/zlayer validate", new Dictionary<string, string> { ["NO_COLOR"] = "1" });
        Assert.Contains("error: version must be", output);
        // Only colour (SGR) sequences count: the .NET console itself may switch the keypad mode on a terminal.
        Assert.DoesNotMatch("\u001b\\[[0-9;]*m", output);
    }
}
