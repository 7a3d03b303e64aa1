using System.Diagnostics;
using System.Text;

namespace ZLayer.EndToEnd;

/// <summary>Runs a shell command under a real pseudo-terminal (util-linux script), as at a person's terminal.</summary>
public static class PseudoTerminal
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <param name="environment">Set for the command; NO_COLOR is cleared unless given here.</param>
    /// <param name="answers">Keys typed once the terminal shows each prompt, in order, as a person types after reading it.</param>
    /// <returns>Everything the terminal showed, stdout and stderr together, control sequences included.</returns>
    public static async Task<string> RunAsync(string workingDirectory, string command, IReadOnlyDictionary<string, string>? environment = null, params (string Prompt, string Keys)[] answers)
    {
        var start = new ProcessStartInfo("script", ["-qec", command, "/dev/null"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        start.Environment["TERM"] = "xterm";
        start.Environment.Remove("NO_COLOR");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var shown = new StringBuilder();
        var pump = OutputCapture.PumpAsItComes(process.StandardOutput, shown);
        foreach (var (prompt, keys) in answers)
        {
            await Eventually.HoldsAsync(() => Task.FromResult(OutputCapture.Snapshot(shown).Contains(prompt, StringComparison.Ordinal)), Deadline, $"the terminal shows '{prompt}'");
            await process.StandardInput.WriteAsync(keys);
            await process.StandardInput.FlushAsync();
        }

        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(deadline.Token);
        await pump;
        return OutputCapture.Snapshot(shown);
    }
}
