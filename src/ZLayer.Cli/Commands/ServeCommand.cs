using System.CommandLine;
using System.Net;
using ZLayer.Cli.Daemon;
using ZLayer.Control;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer serve</c>: runs this node's daemon in the foreground until SIGTERM or SIGINT.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = $"Where the store and replica files live (default: ${ZLayerPaths.DataDirVariable}, else {ZLayerPaths.Current.DataDirectory})" };
        var socket = new Option<string?>("--socket") { Description = $"Unix socket of the API for the local CLI (default: {ZLayerPaths.Current.DefaultSocket})" };
        var api = new Option<string>("--api")
        {
            Description = $"TCP address of the API, or 'none' (default: 127.0.0.1:{ZLayerPaths.DefaultApiPort})",
            DefaultValueFactory = _ => $"127.0.0.1:{ZLayerPaths.DefaultApiPort}",
        };
        api.Validators.Add(r =>
        {
            if (!ApiServerOptions.TryParseTcp(r.GetValueOrDefault<string>(), out _, out var error))
            {
                r.AddError($"--api: {error}");
            }
        });
        var runtime = new Option<string>("--runtime")
        {
            Description = "Runtime for services that do not choose one",
            DefaultValueFactory = _ => "auto",
        };
        runtime.AcceptOnlyFromAmong([.. DaemonHost.KnownRuntimes]);
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Daemon log lines: text (aligned, coloured on a terminal) or json (one object per line)",
            DefaultValueFactory = _ => "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var stopOnExit = new Option<bool>("--stop-on-exit") { Description = "Stop every replica when the daemon stops (default: they keep running and are re-adopted)" };

        var insecure = new Option<string[]>("--insecure-registry")
        {
            Description = "A registry to reach over plain HTTP rather than HTTPS; repeatable (loopback registries need no flag)",
            HelpName = "HOST[:PORT]",
            Arity = ArgumentArity.ZeroOrMore,
        };
        insecure.Validators.Add(r =>
        {
            foreach (var text in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (!RegistryFlags.TryParseInsecure(text, out _, out var error))
                {
                    r.AddError(error);
                }
            }
        });
        var mirror = new Option<string[]>("--registry-mirror")
        {
            Description = "A mirror to pull a registry's images from first (e.g. docker.io=https://mirror.example.com); repeatable, tried in order",
            HelpName = "HOST=URL",
            Arity = ArgumentArity.ZeroOrMore,
        };
        mirror.Validators.Add(r =>
        {
            foreach (var text in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (!RegistryFlags.TryParseMirror(text, out _, out var error))
                {
                    r.AddError(error);
                }
            }
        });

        var subnet = new Option<string>("--container-subnet")
        {
            Description = "The subnet runc containers get their addresses from, on this node's bridge",
            HelpName = "CIDR",
            DefaultValueFactory = _ => "10.240.0.0/24",
        };
        subnet.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>();
            if (!IPNetwork.TryParse(text, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || network.PrefixLength is < 8 or > 29)
            {
                r.AddError($"--container-subnet: '{text}' is not an IPv4 network between /8 and /29 in CIDR form with its host bits zero, such as 10.240.0.0/24");
            }
        });
        var bridge = new Option<string>("--bridge")
        {
            Description = "The Linux bridge runc containers attach to",
            HelpName = "NAME",
            DefaultValueFactory = _ => "zlayer0",
        };
        bridge.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>() ?? "";
            if (text.Length is 0 or > 15 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                r.AddError($"--bridge: '{text}' is not an interface name (1-15 letters, digits, '-', '_', '.')");
            }
        });

        var proxy = new Option<bool>("--proxy")
        {
            Description = "Serve the deployments' endpoints with the node proxy (default: on; --no-proxy turns it off)",
            DefaultValueFactory = _ => true,
        };
        var noProxy = new Option<bool>("--no-proxy") { Description = "Do not run the node proxy: endpoints are not served on the node" };
        var noDns = new Option<bool>("--no-dns") { Description = "Do not run the node DNS server" };
        var dnsPort = new Option<int?>("--dns-port")
        {
            Description = $"Port of the node DNS server (default: 53 on the bridge gateway when runc containers can run here, else {DaemonOptions.ProcessDnsPort} on 127.0.0.1)",
            HelpName = "PORT",
        };
        dnsPort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } port && port is < 1 or > 65535)
            {
                r.AddError($"--dns-port: {port} is not a port (1-65535)");
            }
        });

        var apiSecurity = ApiSecurityOptions.Create();

        var command = new Command("serve", "Run the daemon: API, scheduler and node agent (foreground; replicas outlive it)");
        command.Options.Add(dataDir);
        command.Options.Add(socket);
        command.Options.Add(api);
        command.Options.Add(runtime);
        command.Options.Add(logFormat);
        command.Options.Add(stopOnExit);
        command.Options.Add(insecure);
        command.Options.Add(mirror);
        command.Options.Add(subnet);
        command.Options.Add(bridge);
        command.Options.Add(proxy);
        command.Options.Add(noProxy);
        command.Options.Add(noDns);
        command.Options.Add(dnsPort);
        var store = new StoreFlags();
        store.AddTo(command);
        apiSecurity.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            ApiServerOptions.TryParseTcp(parse.GetValue(api), out IPEndPoint? tcp, out _);
            var options = new DaemonOptions(
                parse.GetValue(dataDir) is { Length: > 0 } d ? Path.GetFullPath(d) : ZLayerPaths.Current.DataDirectory,
                parse.GetValue(socket) is { Length: > 0 } s ? Path.GetFullPath(s) : ZLayerPaths.Current.DefaultSocket,
                tcp,
                parse.GetValue(runtime)!,
                parse.GetValue(stopOnExit),
                Registries(parse.GetValue(insecure) ?? [], parse.GetValue(mirror) ?? []))
            {
                ContainerSubnet = IPNetwork.Parse(parse.GetValue(subnet)!),
                Bridge = parse.GetValue(bridge)!,
                Proxy = parse.GetValue(proxy) && !parse.GetValue(noProxy),
                Dns = !parse.GetValue(noDns),
                DnsPort = parse.GetValue(dnsPort),
                Store = store.Read(parse),
                ApiSecurity = apiSecurity.Settings(parse),
            };
            var log = new DaemonLogger(parse.GetValue(logFormat) == "json");
            return await new DaemonHost(options, log).RunAsync(ct);
        });
        return command;
    }

    /// <summary>The flags as the validators already accepted them.</summary>
    private static RegistryFlags Registries(string[] insecure, string[] mirrors)
    {
        var hosts = new List<string>();
        foreach (var text in insecure)
        {
            RegistryFlags.TryParseInsecure(text, out var host, out _);
            hosts.Add(host);
        }

        var parsed = new List<RegistryMirror>();
        foreach (var text in mirrors)
        {
            RegistryFlags.TryParseMirror(text, out var mirror, out _);
            parsed.Add(mirror);
        }

        return new RegistryFlags(hosts, parsed);
    }
}
