using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ZLayer.Networking.Namespaces;

namespace ZLayer.Networking.Tests.Support;

/// <summary>A TCP server inside a namespace (busybox nc, persistent) that answers every connection with a fixed line and closes.</summary>
internal sealed class NamespaceServer : IDisposable
{
    private readonly Process _process;

    private NamespaceServer(Process process) => _process = process;

    public static async Task<NamespaceServer> StartAsync(NetworkNamespace ns, int port, string reply)
    {
        var info = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "netns", "exec", ns.Name, "busybox", "nc", "-ll", "-p", port.ToString(), "-e", "echo", reply })
        {
            info.ArgumentList.Add(argument);
        }
        var server = new NamespaceServer(Process.Start(info)!);
        await Poll.UntilAsync(async () =>
        {
            var (_, listening, _) = await Shell.InNamespaceAsync(ns.Name, "busybox", "netstat", "-ltn");
            return listening.Contains($":{port} ");
        }, $"the server in {ns.Name} to listen on port {port}");
        return server;
    }

    /// <summary>Connects from the host and returns what the server said, or null if the connection failed.</summary>
    public static async Task<string?> AskFromHostAsync(IPAddress address, int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.ConnectAsync(address, port, timeout.Token);
            using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
            return (await reader.ReadToEndAsync(timeout.Token)).Trim();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return null;
        }
    }

    /// <summary>Connects from inside <paramref name="ns"/> with busybox nc and returns what came back.</summary>
    public static async Task<string> AskFromNamespaceAsync(NetworkNamespace ns, IPAddress address, int port)
    {
        var (_, stdout, _) = await Shell.InNamespaceAsync(ns.Name, "busybox", "nc", "-w", "2", address.ToString(), port.ToString());
        return stdout.Trim();
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
