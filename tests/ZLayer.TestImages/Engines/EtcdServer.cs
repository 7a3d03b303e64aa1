using System.Diagnostics;
using System.Text;
using ZLayer.TestImages.Registry;
using ZLayer.TestImages.Tools;

namespace ZLayer.TestImages.Engines;

/// <summary>
/// A real single-member etcd (Debian's etcd-server) on loopback ports of its own, with its data in a
/// private directory. It can be stopped and started again on the same data and ports, as a member
/// that restarts.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private readonly int _clientPort = LoopbackPort.Free();
    private readonly int _peerPort = LoopbackPort.Free();
    private Process? _process;

    private readonly EtcdTls? _tls;

    private EtcdServer(EtcdTls? tls)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("zl-etcd-").FullName;
        _tls = tls;
    }

    public string Directory { get; }

    public Uri ClientUrl => new($"{(_tls is null ? "http" : "https")}://127.0.0.1:{_clientPort}");

    public bool Running => _process is { HasExited: false };

    /// <summary>Starts a member; with <paramref name="tls"/> it serves clients over TLS only, and asks them for certificates when the settings say so.</summary>
    public static async Task<EtcdServer> StartAsync(EtcdTls? tls = null)
    {
        var server = new EtcdServer(tls);
        try
        {
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ReadLog()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>Kills the member at once, as a crash or a power cut would.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
            ChildProcesses.Remove(process);
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts the member (again) on its data and ports, and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("etcd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var peer = $"http://127.0.0.1:{_peerPort}";
        foreach (var arg in new[]
        {
            "--name", "zl-test", "--data-dir", Path.Combine(Directory, "data"),
            "--listen-client-urls", ClientUrl.ToString().TrimEnd('/'), "--advertise-client-urls", ClientUrl.ToString().TrimEnd('/'),
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"zl-test={peer}",
        })
        {
            start.ArgumentList.Add(arg);
        }

        if (_tls is { } tls)
        {
            foreach (var arg in new[] { "--cert-file", tls.CertFile, "--key-file", tls.KeyFile, "--trusted-ca-file", tls.CaFile, $"--client-cert-auth={tls.ClientCertAuth}" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        ChildProcesses.Add(process);
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient(_tls?.ProbeHandler() ?? new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {process.ExitCode}:\n{ReadLog()}");
            }

            try
            {
                using var content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri(ClientUrl, "/v3/maintenance/status"), content);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not serving yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"etcd did not answer within {StartTimeout}:\n{ReadLog()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Runs etcdctl (API v3, the default of etcd 3.4) against this member; a failure throws with its output.</summary>
    public async Task<string> CtlAsync(params string[] args) =>
        (await ExternalTool.RunAsync("etcdctl", ["--endpoints", ClientUrl.ToString().TrimEnd('/'), .. args])).EnsureSuccess().StandardOutput;

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover directory under /tmp is harmless.
        }
    }


    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
