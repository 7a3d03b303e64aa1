using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer logout REGISTRY</c>: removes the daemon's login for a registry from its registries.json.</summary>
public static class LogoutCommand
{
    public static Command Create()
    {
        var registry = new Argument<string>("REGISTRY") { Description = "The registry's host, as given to `zlayer login`" };
        var command = new Command("logout", "Remove the daemon's login for a container registry");
        command.Arguments.Add(registry);
        command.SetAction(async (parse, ct) =>
        {
            if (!RegistryHost.TryParse(parse.GetValue(registry), out var host, out var error))
            {
                return Usage.Fail(error);
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    await client.DeleteAsync(ApiPaths.RegistryLogout(host), ct);
                    Console.Out.WriteLine($"logged out of {host}");
                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }
}
