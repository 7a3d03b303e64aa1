using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Registry;

namespace ZLayer.TestImages.Engines;

/// <summary>
/// A Docker-API engine of the caller's own (dockerd, or Podman's service) on a private socket with
/// private storage, so the machine's own engine, if any, is neither used nor disturbed. Stopping it
/// removes the containers and networks left in it, stops the engine, unmounts what it left mounted
/// and deletes its directory.
/// </summary>
public abstract class EngineServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] BuiltInNetworks = ["bridge", "host", "none", "podman"];
    private readonly StringBuilder _log = new();
    private Process? _process;

    protected EngineServer(string name)
    {
        // Short, because a Unix socket path has at most 107 bytes.
        Directory = Path.Combine("/tmp", $"zl-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "engine.sock");

    /// <summary>DOCKER_HOST for this engine.</summary>
    public string Host => "unix://" + SocketPath;

    public string ReadLog()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            try
            {
                await RemoveLeftoversAsync();
            }
            finally
            {
                // SIGTERM: dockerd stops its containerd and unmounts its data root on the way out.
                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
        }

        if (_process is not null)
        {
            ChildProcesses.Remove(_process);
            _process.Dispose();
        }

        KillStragglers(Directory);
        await UnmountBelowAsync(Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Something the engine left busy; the directory is uniquely named under /tmp.
        }
        catch (UnauthorizedAccessException)
        {
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A client for the engine's API (no version prefix added).</summary>
    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://engine/"), Timeout = TimeSpan.FromSeconds(60) };

    protected abstract string Program { get; }

    protected abstract IEnumerable<string> Arguments();

    protected virtual IEnumerable<KeyValuePair<string, string>> Environment() => [];

    /// <summary>Starts <paramref name="server"/>'s engine and waits until /_ping answers; on failure nothing is left behind.</summary>
    protected static async Task<T> LaunchAsync<T>(T server)
        where T : EngineServer
    {
        try
        {
            await server.LaunchAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in Arguments())
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in Environment())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Program} did not start");
        _process = process;
        ChildProcesses.Add(process);
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = CreateHttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Program} exited ({process.ExitCode}) while starting:\n{ReadLog()}");
            }

            try
            {
                if (Path.Exists(SocketPath))
                {
                    using var ping = await http.GetAsync(new Uri("/_ping", UriKind.Relative));
                    if (ping.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"{Program} did not answer /_ping within {StartTimeout.TotalSeconds:0} s:\n{ReadLog()}");
            }

            await Task.Delay(50);
        }
    }

    private async Task RemoveLeftoversAsync()
    {
        using var http = CreateHttpClient();
        var containers = JsonNode.Parse(await http.GetStringAsync(new Uri("/containers/json?all=1", UriKind.Relative)))!.AsArray();
        foreach (var container in containers)
        {
            (await http.DeleteAsync(new Uri($"/containers/{container!["Id"]}?force=1&v=1", UriKind.Relative))).Dispose();
        }

        var networks = JsonNode.Parse(await http.GetStringAsync(new Uri("/networks", UriKind.Relative)))!.AsArray();
        foreach (var network in networks.Where(n => !BuiltInNetworks.Contains(n!["Name"]!.ToString())))
        {
            (await http.DeleteAsync(new Uri($"/networks/{network!["Id"]}", UriKind.Relative))).Dispose();
        }
    }

    /// <summary>
    /// Processes the engine started that outlive it: Podman's conmon of each exec session waits
    /// minutes (its exit delay) before it goes. Found by their command line naming the engine's
    /// directory, which is unique to this server.
    /// </summary>
    private static void KillStragglers(string directory)
    {
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == System.Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(entry, "cmdline")).Contains(directory + "/", StringComparison.Ordinal))
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
    }

    /// <summary>Storage mounts an engine leaves behind when it stops (Podman keeps its overlay mounted).</summary>
    private static async Task UnmountBelowAsync(string directory)
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m.StartsWith(directory + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length);
        foreach (var mount in mounts)
        {
            using var umount = Process.Start("umount", ["-l", mount]);
            await umount.WaitForExitAsync();
        }
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
