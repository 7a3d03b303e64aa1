using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ZLayer.Bench;

/// <summary>How benchmarks drive a daemon and the programs they compare it with: the API over the Unix socket, polling, child processes, memory.</summary>
public static class DaemonProbe
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public static int Count(JsonArray replicas, string state, string? health) =>
        replicas.Count(r => r!["state"]?.ToString() == state && (health is null || r["health"]?.ToString() == health));

    public static async Task<JsonArray> ReplicasAsync(HttpClient http) =>
        JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/replicas", UriKind.Relative)))!.AsArray();

    public static async Task<string?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetStringAsync(new Uri(path, UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public static HttpClient UnixHttp(string socket) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://localhost/") };

    /// <summary>Polls a condition every 10 ms: the resolution of the figures measured with it.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Deadline)
            {
                throw new TimeoutException($"benchmark: not reached within {Deadline}: {what}");
            }

            await Task.Delay(10);
        }
    }

    public static Task<string> RunProgramAsync(string program, params string[] args) => RunProgramAsync(program, null, args);

    public static async Task<string> RunProgramAsync(string program, Dictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await stdout + await stderr;
    }

    public static double RssMiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
