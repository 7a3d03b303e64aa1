using System.Diagnostics;

namespace ZLayer.Server.Tests;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the built <c>zlayer</c> (copied beside the tests through the project reference) as a
/// separate process, so ZLAYER_HOST, the working directory and stdio are its own, as a user's.
/// </summary>
public static class Cli
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "zlayer.dll");

    public static ProcessStartInfo StartInfo(string workingDirectory, string? host, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("ZLAYER_HOST");
        start.Environment.Remove("ZLAYER_TOKEN");
        start.Environment.Remove("ZLAYER_TLS_FINGERPRINT");
        if (host is not null)
        {
            start.Environment["ZLAYER_HOST"] = host;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public static async Task<CliResult> RunAsync(string workingDirectory, string? host, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, host, environment, args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"zlayer {string.Join(' ', args)} did not finish within 2 minutes");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(TestDaemon daemon, params string[] args) =>
        RunAsync(daemon.Directory, daemon.Host, null, args);
}
