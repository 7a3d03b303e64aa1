using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ZLayer.TestImages.Registry;

/// <summary>
/// A real docker-registry (distribution 2.x) on 127.0.0.1 with filesystem storage in its own temp
/// directory. Its output goes to a log file (and is kept in memory) so failures can quote it.
/// It can be stopped and started again on the same port with the same content, for tests of
/// clients that meet a registry going away.
/// </summary>
public sealed partial class RegistryServer : IAsyncDisposable
{
    public const string BinaryPath = "/usr/bin/docker-registry";

    private readonly Lock _lock = new();
    private readonly StringBuilder _log = new();
    private readonly string _httpSecret = Guid.NewGuid().ToString("N");
    private StreamWriter? _logFile;
    private Process? _process;
    private TaskCompletionSource<int>? _listening;
    private string? _htpasswdPath;
    private bool _disposed;

    private RegistryServer(RegistryServerOptions options, string directory)
    {
        Options = options;
        Directory = directory;
        DataDirectory = Path.Join(directory, "data");
        LogPath = Path.Join(directory, "registry.log");
        ConfigPath = Path.Join(directory, "config.yml");
        System.IO.Directory.CreateDirectory(DataDirectory);
        _logFile = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public RegistryServerOptions Options { get; }

    public RegistryAuthMode Auth => Options.Auth;

    /// <summary>The basic-auth user (for a token registry, the token server's), or null if none is needed.</summary>
    public string? Username => Auth == RegistryAuthMode.Token ? Options.Tokens!.Username : Options.Username;

    public string? Password => Auth == RegistryAuthMode.Token ? Options.Tokens!.Password : Options.Password;

    /// <summary>The registry's own directory: config, htpasswd, log and storage.</summary>
    public string Directory { get; }

    /// <summary>The filesystem driver's root.</summary>
    public string DataDirectory { get; }

    public string LogPath { get; }

    public string ConfigPath { get; }

    public int Port { get; private set; }

    /// <summary>"127.0.0.1:PORT", as image references name the registry.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public Uri BaseUri => new($"http://{Host}/");

    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _process is { HasExited: false };
            }
        }
    }

    public static Task<RegistryServer> StartAnonymousAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new RegistryServerOptions(), cancellationToken);

    public static Task<RegistryServer> StartBasicAuthAsync(string username, string password, CancellationToken cancellationToken = default) =>
        StartAsync(new RegistryServerOptions { Auth = RegistryAuthMode.Basic, Username = username, Password = password }, cancellationToken);

    public static Task<RegistryServer> StartTokenAuthAsync(TokenServer tokens, CancellationToken cancellationToken = default) =>
        StartAsync(new RegistryServerOptions { Auth = RegistryAuthMode.Token, Tokens = tokens }, cancellationToken);

    /// <summary>A pull-through cache of <paramref name="upstream"/>, logging in there if credentials are given.</summary>
    public static Task<RegistryServer> StartProxyAsync(Uri upstream, string? username = null, string? password = null, CancellationToken cancellationToken = default) =>
        StartAsync(new RegistryServerOptions { ProxyRemote = upstream, ProxyUsername = username, ProxyPassword = password }, cancellationToken);

    public static async Task<RegistryServer> StartAsync(RegistryServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RegistryServerOptions();
        Validate(options);
        var directory = Path.Join(Path.GetTempPath(), $"zlayer-registry-{Guid.NewGuid():N}");
        var server = new RegistryServer(options, directory);
        try
        {
            string? htpasswd = null;
            if (options.Auth == RegistryAuthMode.Basic)
            {
                htpasswd = Path.Join(directory, "htpasswd");
                await Htpasswd.WriteAsync(htpasswd, options.Username!, options.Password!, cancellationToken);
            }

            server._htpasswdPath = htpasswd;
            await server.StartProcessAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the registry again after <see cref="StopAsync"/>, on the same port with the same content.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return IsRunning ? Task.CompletedTask : StartProcessAsync(cancellationToken);
    }

    /// <summary>Kills the registry (no draining: clients see connections refused or cut) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        Process? process;
        lock (_lock)
        {
            process = _process;
            _process = null;
        }

        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        await process.WaitForExitAsync();
        ChildProcesses.Remove(process);
        process.Dispose();
    }

    /// <summary>Everything the registry has printed, across restarts.</summary>
    public string ReadLog()
    {
        lock (_lock)
        {
            return _log.ToString();
        }
    }

    /// <summary>A line for assertion messages: where the registry is, its mode, and the end of its log.</summary>
    public string Describe(int logLines = 40)
    {
        var lines = ReadLog().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return $"registry {Host} ({Auth}{(Options.ProxyRemote is null ? "" : $", proxy of {Options.ProxyRemote}")}), log {LogPath}:\n"
            + string.Join('\n', lines.TakeLast(logLines));
    }

    /// <summary>A client for raw requests, with no credentials.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        lock (_lock)
        {
            _logFile?.Dispose();
            _logFile = null;
        }

        if (!Options.KeepFiles)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the directory is uniquely named under the temp directory.
            }
        }
    }

    private static void Validate(RegistryServerOptions options)
    {
        if (options.Auth == RegistryAuthMode.Basic && (options.Username is null || options.Password is null))
        {
            throw new ArgumentException("a basic-auth registry needs a username and a password", nameof(options));
        }

        if (options.Auth == RegistryAuthMode.Token && options.Tokens is null)
        {
            throw new ArgumentException("a token-auth registry needs a token server", nameof(options));
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(ConfigPath, RegistryConfigYaml.Render(Options, DataDirectory, Port, _httpSecret, _htpasswdPath), cancellationToken);
        var start = new ProcessStartInfo(BinaryPath)
        {
            ArgumentList = { "serve", ConfigPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        // 0 for "exited first": the message waits until its output is drained, below.
        process.Exited += (_, _) => listening.TrySetResult(0);
        lock (_lock)
        {
            _listening = listening;
            _process = process;
            process.Start();
            ChildProcesses.Add(process);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.StartTimeout);
        try
        {
            var port = await listening.Task.WaitAsync(deadline.Token);
            if (port == 0)
            {
                // Unlike the Exited event, this returns only once the output has been read to its end.
                await process.WaitForExitAsync(deadline.Token);
                throw new InvalidOperationException($"docker-registry exited ({process.ExitCode}) before listening\n{Describe()}");
            }

            Port = port;
            await WaitUntilAnsweringAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await StopAsync();
            throw new TimeoutException($"docker-registry did not answer within {Options.StartTimeout}\n{Describe()}");
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _log.AppendLine(line);
            _logFile?.WriteLine(line);

            if (_listening is { Task.IsCompleted: false } listening && ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Polls /v2/ until the registry answers as it should for its mode (200, or 401 when it wants credentials).</summary>
    private async Task WaitUntilAnsweringAsync(CancellationToken deadline)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var expected = Auth == RegistryAuthMode.Anonymous ? HttpStatusCode.OK : HttpStatusCode.Unauthorized;
        HttpStatusCode? last = null;
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(BaseUri, "v2/"), deadline);
                last = response.StatusCode;
                if (response.StatusCode == expected)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not accepting yet; try again until the deadline.
            }

            if (!IsRunning)
            {
                throw new InvalidOperationException($"docker-registry exited while starting\n{Describe()}");
            }

            if (last is { } status && status != expected && status != HttpStatusCode.ServiceUnavailable)
            {
                throw new InvalidOperationException($"docker-registry answered /v2/ with {(int)status}, expected {(int)expected}\n{Describe()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline);
        }
    }

    // distribution logs `msg="listening on 127.0.0.1:PORT"` once its socket is bound.
    [GeneratedRegex(@"listening on [^\s""]*:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
