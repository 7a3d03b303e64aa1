using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ZLayer.Networking.Host;

namespace ZLayer.Networking.Cni;

/// <summary>
/// Runs one CNI plugin executable as the specification defines: parameters in CNI_* environment
/// variables, the network configuration on stdin, a result or error document on stdout.
/// </summary>
internal sealed class PluginRunner(IReadOnlyList<string> pluginDirectories, TimeSpan timeout)
{
    /// <summary>Results are a few kilobytes; more than this is a broken plugin, not a large result.</summary>
    private const int StdoutLimit = 1024 * 1024;

    /// <summary>Plugins log on stderr; this much is kept for error messages.</summary>
    private const int StderrLimit = 16 * 1024;

    public IReadOnlyList<string> PluginDirectories => pluginDirectories;

    /// <summary>The executable for <paramref name="plugin"/>: the first regular, executable file of that name in the directories.</summary>
    public string? Find(string plugin)
    {
        foreach (var directory in pluginDirectories)
        {
            var candidate = Path.Combine(directory, plugin);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }
        return null;
    }

    public string FindOrThrow(string plugin, PluginInvocation invocation) =>
        Find(plugin) ?? throw new CniPluginNotFoundException(
            $"{invocation.Describe(plugin)}: no executable '{plugin}' in {string.Join(", ", pluginDirectories)}",
            plugin, invocation.Command, invocation.ContainerId, pluginDirectories);

    /// <summary>
    /// Runs <paramref name="plugin"/> with <paramref name="config"/> on stdin. For ADD returns the
    /// result document (checked against the specification); for DEL and CHECK, null.
    /// </summary>
    public async Task<JsonObject?> RunAsync(string plugin, PluginInvocation invocation, JsonObject config, CancellationToken cancellationToken)
    {
        var executable = FindOrThrow(plugin, invocation);
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        // Only our parameters: a CNI_NETNS or CNI_ARGS inherited from whoever started the daemon would be taken as ours.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("CNI_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment["CNI_COMMAND"] = invocation.Command.ToWire();
        info.Environment["CNI_CONTAINERID"] = invocation.ContainerId;
        info.Environment["CNI_IFNAME"] = invocation.InterfaceName;
        info.Environment["CNI_PATH"] = string.Join(':', pluginDirectories);
        if (invocation.NetnsPath is not null)
        {
            info.Environment["CNI_NETNS"] = invocation.NetnsPath;
        }
        // bridge and portmap run iptables, which lives in sbin directories a service's PATH may lack.
        info.Environment["PATH"] = HostCommand.SearchPath();

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CniException($"{invocation.Describe(plugin)}: cannot run {executable}: {e.Message}", plugin, invocation.Command, invocation.ContainerId, e);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var stdout = ReadAsync(process.StandardOutput.BaseStream, StdoutLimit, limit.Token);
        var stderr = ReadAsync(process.StandardError.BaseStream, StderrLimit, limit.Token);
        try
        {
            await WriteConfigAsync(process, config, limit.Token);
            await process.WaitForExitAsync(limit.Token);
            var (output, overflow) = await stdout;
            var log = Encoding.UTF8.GetString((await stderr).Kept).Trim();
            if (overflow)
            {
                throw new CniInvalidOutputException(
                    $"{invocation.Describe(plugin)} printed more than {StdoutLimit} bytes on stdout, which no CNI result needs",
                    plugin, invocation.Command, invocation.ContainerId);
            }
            return PluginOutput.Interpret(plugin, invocation, process.ExitCode, output, log);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new CniPluginTimeoutException(
                $"{invocation.Describe(plugin)} did not finish within {timeout.TotalSeconds:0.#}s and was killed",
                plugin, invocation.Command, invocation.ContainerId, timeout);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the deadline and the kill.
        }
    }

    private static async Task WriteConfigAsync(Process process, JsonObject config, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(bytes, cancellationToken);
            await process.StandardInput.BaseStream.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // The plugin exited without reading its configuration; its exit status and output say why.
        }
        finally
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Reads a stream to its end, keeping the first <paramref name="limit"/> bytes. The rest is
    /// drained rather than left unread, so a plugin writing too much is not blocked on a full pipe.
    /// </summary>
    private static async Task<(byte[] Kept, bool Overflow)> ReadAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        var overflow = false;
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            var room = limit - (int)buffer.Length;
            if (read > room)
            {
                overflow = true;
            }
            buffer.Write(chunk, 0, Math.Min(read, room));
        }
        return (buffer.ToArray(), overflow);
    }
}
