using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using ZLayer.Networking.Dns;
using static ZLayer.Bench.Measure;

namespace ZLayer.Bench;

/// <summary>
/// Queries per second and latency of A queries for a service name: our DNS server against dnsmasq
/// serving the same name from a hosts file, in the same run, each in a process of its own on a
/// loopback address, loaded by the same pool of concurrent UDP clients for a bounded time.
/// </summary>
public static class DnsBenchmark
{
    private const string Name = "web.service.local";
    private const string DnsmasqPath = "/usr/sbin/dnsmasq";
    private static readonly IPAddress[] Replicas = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.3")];

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Options.Int(args, "--seconds", 10);
        var clients = Options.Int(args, "--clients", 32);
        var rounds = Options.Int(args, "--rounds", 3);
        var ours = new IPEndPoint(IPAddress.Parse("127.0.53.1"), Options.Int(args, "--port", 15353));
        var baseline = new IPEndPoint(IPAddress.Parse("127.0.53.2"), ours.Port);
        Console.WriteLine(Line($"dns name={Name} answers={Replicas.Length} clients={clients} rounds={rounds}x{seconds}s cores={Environment.ProcessorCount}"));

        var hosts = Path.GetTempFileName();
        Process? dnsmasq = null;
        using var server = StartSelf(["dns-serve", ours.Address.ToString(), ours.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            if (File.Exists(DnsmasqPath))
            {
                await File.WriteAllLinesAsync(hosts, Replicas.Select(a => $"{a} {Name}"));
                dnsmasq = Start(DnsmasqPath,
                    ["--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", $"--addn-hosts={hosts}",
                     $"--listen-address={baseline.Address}", $"--port={baseline.Port}", "--bind-interfaces", "--user=root", "--pid-file=", "--cache-size=1000"]);
            }
            else
            {
                Console.WriteLine("dnsmasq: not installed (apt-get install dnsmasq), no baseline");
            }

            // Rounds alternate between the servers, so a burst of load from elsewhere on a shared
            // machine hits both rather than one.
            var results = new Dictionary<string, List<LoadResult>> { ["zlayer"] = [], ["dnsmasq"] = [] };
            for (var round = 0; round < rounds; round++)
            {
                results["zlayer"].Add(Print("zlayer", await LoadAsync(server, ours, clients, seconds)));
                if (dnsmasq is not null)
                {
                    results["dnsmasq"].Add(Print("dnsmasq", await LoadAsync(dnsmasq, baseline, clients, seconds)));
                }
            }

            foreach (var (who, runs) in results.Where(r => r.Value.Count > 0))
            {
                Console.WriteLine(Line($"dns-median server={who} qps={Median([.. runs.Select(r => r.Qps)]):F0} p50={Median([.. runs.Select(r => r.P50)]):F3}ms p99={Median([.. runs.Select(r => r.P99)]):F3}ms server_cpu_per_query={Median([.. runs.Select(r => r.CpuPerQuery)]):F1}us"));
            }

            return 0;
        }
        finally
        {
            Stop(server);
            if (dnsmasq is not null)
            {
                Stop(dnsmasq);
                dnsmasq.Dispose();
            }

            File.Delete(hosts);
        }
    }

    /// <summary>The child process <c>bench dns-serve ADDRESS PORT</c>: our server until stdin closes.</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var directory = new ServiceDirectory([new DnsServiceEntry("bench", "web", [.. Replicas.Select((a, i) => new DnsReplica(i + 1, null, a, null))], [])]);
        await using var server = DnsServer.Start(new DnsServerOptions(new IPEndPoint(IPAddress.Parse(args[0]), int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture))) { Upstreams = [] }, directory);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private static Process StartSelf(string[] args)
    {
        var host = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? Start(host, [Assembly.GetExecutingAssembly().Location, .. args])
            : Start(host, args);
    }

    private static Process Start(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
    }

    private static void Stop(Process process)
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(2000))
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>
    /// Loads <paramref name="server"/>; besides rates and latencies, the CPU time its process spent
    /// per query, which a shared machine's other load disturbs far less than the rates.
    /// </summary>
    private static async Task<LoadResult> LoadAsync(Process process, IPEndPoint server, int clients, int seconds)
    {
        await WaitUntilAnsweringAsync(server);

        // A second of warm-up (JIT, caches), then the measured window.
        await RunClientsAsync(server, clients, TimeSpan.FromSeconds(1));
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var result = await RunClientsAsync(server, clients, TimeSpan.FromSeconds(seconds));
        process.Refresh();
        return result with { ServerCpu = process.TotalProcessorTime - cpuBefore };
    }

    private static async Task WaitUntilAnsweringAsync(IPEndPoint server)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var probe = await RunClientsAsync(server, 1, TimeSpan.FromMilliseconds(200));
                if (probe.Latencies.Count > 0)
                {
                    return;
                }
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                // Not listening yet: ICMP port unreachable.
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"nothing answers DNS at {server} after 20 s");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<LoadResult> RunClientsAsync(IPEndPoint server, int clients, TimeSpan duration)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(server, (ushort)c, until))));
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new LoadResult([.. results.SelectMany(r => r.Latencies)], results.Sum(r => r.Lost), results.Sum(r => r.Wrong), elapsed);
    }

    private static async Task<(List<long> Latencies, int Lost, int Wrong)> ClientAsync(IPEndPoint server, ushort client, long until)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server);
        var query = Query(client);
        var reply = new byte[1500];
        var latencies = new List<long>(100_000);
        var lost = 0;
        var wrong = 0;
        var timeout = new CancellationTokenSource();
        ushort sequence = 0;
        try
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                var id = (ushort)((client << 10) | (sequence++ & 0x3FF));
                BinaryPrimitives.WriteUInt16BigEndian(query, id);
                var sent = Stopwatch.GetTimestamp();
                await socket.SendAsync(query, SocketFlags.None);
                timeout.CancelAfter(TimeSpan.FromSeconds(1));
                try
                {
                    int length;
                    do
                    {
                        length = await socket.ReceiveAsync(reply, SocketFlags.None, timeout.Token);
                    }
                    while (length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(reply) != id);

                    latencies.Add(Stopwatch.GetTimestamp() - sent);

                    // NOERROR with all three addresses, else the figure would flatter a server that fails.
                    if (length < 12 || (reply[3] & 0xF) != 0 || BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)) != Replicas.Length)
                    {
                        wrong++;
                    }
                }
                catch (OperationCanceledException)
                {
                    lost++;
                }

                // A timer that fired (a lost reply) cannot be reset; the next query gets a new one.
                if (!timeout.TryReset())
                {
                    timeout.Dispose();
                    timeout = new CancellationTokenSource();
                }
            }
        }
        finally
        {
            timeout.Dispose();
        }

        return (latencies, lost, wrong);
    }

    private static byte[] Query(ushort id)
    {
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, buffer.Length);
        writer.WriteHeader(id, DnsFlags.RecursionDesired);
        writer.TryWriteQuestion(new DnsQuestion(DnsName.Parse(Name), DnsRecordType.A, DnsQuestion.ClassIn));
        writer.SetCounts(1, 0, 0, 0);
        return writer.Written.ToArray();
    }

    private static LoadResult Print(string who, LoadResult result)
    {
        Console.WriteLine(Line($"dns server={who} qps={result.Qps:F0} p50={result.P50:F3}ms p99={result.P99:F3}ms server_cpu_per_query={result.CpuPerQuery:F1}us queries={result.Latencies.Count} lost={result.Lost} wrong={result.Wrong}"));
        return result;
    }

    private sealed record LoadResult(List<long> Latencies, int Lost, int Wrong, TimeSpan Elapsed)
    {
        private readonly long[] _sorted = [.. Latencies.Order()];

        public TimeSpan ServerCpu { get; init; }

        public double Qps => Latencies.Count / Elapsed.TotalSeconds;

        public double CpuPerQuery => ServerCpu.TotalMicroseconds / Math.Max(1, Latencies.Count);

        public double P50 => Percentile(0.50);

        public double P99 => Percentile(0.99);

        private double Percentile(double p) =>
            _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, (int)(p * _sorted.Length))] * 1000.0 / Stopwatch.Frequency;
    }
}
