using System.Diagnostics;
using System.Globalization;

namespace ZLayer.EndToEnd;

/// <summary>What tests need of the host's network: a DNS question to the daemon's server.</summary>
public static class LocalNetwork
{
    /// <summary>`dig +short` against the node DNS on <paramref name="port"/>: the answer's records, one a line.</summary>
    public static async Task<string> DigAsync(int port, string name)
    {
        var start = new ProcessStartInfo("dig", ["+short", "+tries=1", "+time=2", "-p", port.ToString(CultureInfo.InvariantCulture), "@127.0.0.1", name])
        {
            RedirectStandardOutput = true,
        };
        using var dig = Process.Start(start)!;
        var output = await dig.StandardOutput.ReadToEndAsync();
        await dig.WaitForExitAsync();
        Assert.Equal(0, dig.ExitCode);
        return output;
    }
}
