using System.Diagnostics;

namespace ZLayer.Images.Tests.Layers;

/// <summary>stat(1) for what .NET does not report: owner, file type, inode.</summary>
internal static class FileStat
{
    public static string Query(string path, string format)
    {
        var start = new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("stat did not start");
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"stat {path}: {process.StandardError.ReadToEnd()}");
        return output;
    }
}
