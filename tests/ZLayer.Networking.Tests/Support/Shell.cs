using System.Diagnostics;

namespace ZLayer.Networking.Tests.Support;

/// <summary>Runs host tools (ip, iptables, busybox) the way an operator would, to look at what the code under test did.</summary>
internal static class Shell
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {Limit.TotalSeconds}s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and returns stdout; a non-zero exit fails the test with the command's stderr.</summary>
    public static async Task<string> OutputAsync(string program, params string[] arguments)
    {
        var (code, stdout, stderr) = await RunAsync(program, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {code}: {stderr}");
        }
        return stdout;
    }

    /// <summary>Runs <paramref name="arguments"/> inside the named network namespace.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> InNamespaceAsync(string name, params string[] arguments) =>
        RunAsync("ip", ["netns", "exec", name, .. arguments]);
}
