using System.CommandLine;
using ZLayer.Cli.Demo;

namespace ZLayer.Cli.Commands;

/// <summary>Hidden: the quickstart's web server (see <see cref="DemoServer"/>).</summary>
public static class DemoServerCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Port to listen on (default: $PORT, else 8080)",
            DefaultValueFactory = _ => int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8080,
        };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--port must be 1-65535");
            }
        });
        var name = new Option<string>("--name")
        {
            Description = "Name reported in answers (default: $ZLAYER_REPLICA, else the host name)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ZLAYER_REPLICA") ?? Environment.MachineName,
        };
        var command = new Command("demo-server", "Run the quickstart's demo HTTP server") { Hidden = true };
        command.Options.Add(port);
        command.Options.Add(name);
        command.SetAction((parse, cancellationToken) => DemoServer.RunAsync(parse.GetValue(port), parse.GetValue(name)!, cancellationToken));
        return command;
    }
}
