using System.Diagnostics;

namespace ZLayer.Server.Tests.Metrics;

/// <summary>Prometheus's own checker (Debian's prometheus package): parses the exposition and lints names, types and help.</summary>
internal static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>promtool's verdict on an exposition: its exit code and everything it said.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo(Path, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
