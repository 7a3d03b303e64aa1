namespace ZLayer.EndToEnd;

/// <summary>The entry point's contract: version, help, usage errors, completions, colour rules.</summary>
public sealed class CliBasicsTests
{
    private static readonly string Root = ZLayerProcess.RepositoryRoot;

    [Fact]
    public async Task Version_prints_the_version_and_exits_zero()
    {
        var result = await ZLayerProcess.RunAsync(Root, "--version");
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\s*$", result.Stdout);

        var command = await ZLayerProcess.RunAsync(Root, "version");
        Assert.Equal(0, command.ExitCode);
        Assert.StartsWith("zlayer " + result.Stdout.Trim(), command.Stdout.Trim());
    }

    [Theory]
    [InlineData("--help", "validate")]
    [InlineData("validate --help", "--strict")]
    [InlineData("spec --help", "dump")]
    [InlineData("spec dump --help", "--output")]
    [InlineData("spec schema --help", "JSON Schema")]
    [InlineData("completion --help", "bash")]
    public async Task Every_command_has_help(string args, string expected)
    {
        var result = await ZLayerProcess.RunAsync(Root, args.Split(' '));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("validate --no-such-flag")]
    [InlineData("spec dump -o xml")]
    [InlineData("completion powershell")]
    public async Task Usage_errors_exit_with_code_2_and_say_why_on_stderr(string args)
    {
        var result = await ZLayerProcess.RunAsync(Root, args.Split(' '));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("zlayer:", result.Stderr);
        Assert.Contains("--help", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Bash_completion_script_completes_commands_and_options()
    {
        var script = await ZLayerProcess.RunAsync(Root, "completion", "bash");
        Assert.Equal(0, script.ExitCode);
        using var dir = new TempDirectory();
        var file = dir.Write("zlayer.bash", script.Stdout);
        // Drive the generated function the way bash's completion machinery does.
        var probe = $"source {file}; COMP_WORDS=(zlayer spec d); COMP_CWORD=2; _zlayer; echo \"${{COMPREPLY[*]}}\"; " +
                    "COMP_WORDS=(zlayer validate --st); COMP_CWORD=2; _zlayer; echo \"${COMPREPLY[*]}\"";
        var bash = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-c", probe]) { RedirectStandardOutput = true })!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["dump", "--strict"], lines);
    }

    [Theory]
    [InlineData("zsh", "bashcompinit")]
    [InlineData("fish", "complete -c zlayer -n '__fish_seen_subcommand_from spec' -f -a dump")]
    public async Task Zsh_and_fish_completion_scripts_name_the_commands(string shell, string expected)
    {
        var result = await ZLayerProcess.RunAsync(Root, "completion", shell);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout);
    }

    [Fact]
    public async Task Output_is_not_coloured_when_it_is_not_a_terminal()
    {
        using var dir = new TempDirectory();
        dir.Write("zlayer.yaml", "version: v2\ndeployment: demo\n");
        var result = await ZLayerProcess.RunAsync(dir.Path, "validate");
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("\u001b[", result.Stdout);
        Assert.Contains("zlayer.yaml:1:10: error: version must be \"v1\"", result.Stdout);
    }
}
