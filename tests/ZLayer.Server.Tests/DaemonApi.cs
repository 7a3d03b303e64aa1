using System.Net;
using Microsoft.AspNetCore.Builder;
using ZLayer.Cli.Daemon;

namespace ZLayer.Server.Tests;

/// <summary>
/// A whole daemon (<see cref="DaemonHost"/>, process runtime, no proxy or DNS) in this process,
/// so a test sees every route it maps, the daemon's own included, and can call them over TCP.
/// </summary>
public sealed class DaemonApi : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task<int> _run;
    private readonly string _directory;

    private DaemonApi(string directory, DaemonHost host, CancellationTokenSource stop, Task<int> run)
    {
        _directory = directory;
        _stop = stop;
        _run = run;
        App = host.Api!;
        var tcp = ApiServer.Addresses(App).First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        Http = new HttpClient { BaseAddress = new Uri(tcp + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public static async Task<DaemonApi> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("zld-").FullName;
        var options = new DaemonOptions(Path.Combine(directory, "data"), Path.Combine(directory, "api.sock"), new IPEndPoint(IPAddress.Loopback, 0), "process", StopOnExit: true)
        {
            Proxy = false,
            Dns = false,
        };
        var host = new DaemonHost(options, new DaemonLogger(json: true, TextWriter.Null));
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => host.RunAsync(stop.Token));
        await host.Ready;
        return new DaemonApi(directory, host, stop, run);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
