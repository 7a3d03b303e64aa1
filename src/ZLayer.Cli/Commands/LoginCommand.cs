using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer login REGISTRY</c>: gives the daemon a login for a registry. The daemon checks it
/// against the registry before saving it in its registries.json, so a typo fails here, not at the
/// next deploy. The password is read without echo on a terminal, or from stdin for scripts.
/// </summary>
public static class LoginCommand
{
    public static Command Create()
    {
        var registry = new Argument<string>("REGISTRY") { Description = "The registry's host, e.g. ghcr.io or localhost:5000 (docker.io for Docker Hub)" };
        var username = new Option<string?>("--username", "-u") { Description = "The user to log in as (asked for on a terminal when left out)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password or token from standard input rather than asking for it" };
        var command = new Command("login", "Log the daemon in to a container registry");
        command.Arguments.Add(registry);
        command.Options.Add(username);
        command.Options.Add(passwordStdin);
        command.SetAction(async (parse, ct) =>
        {
            if (!RegistryHost.TryParse(parse.GetValue(registry), out var host, out var error))
            {
                return Usage.Fail(error);
            }

            var user = parse.GetValue(username);
            if (string.IsNullOrWhiteSpace(user))
            {
                if (parse.GetValue(passwordStdin) || !SecretPrompt.CanAsk)
                {
                    return Usage.Fail("give the user with -u USER (standard input is not a terminal to ask on)");
                }

                Console.Error.Write("Username: ");
                user = (await Console.In.ReadLineAsync(ct))?.Trim();
                if (string.IsNullOrEmpty(user))
                {
                    return Usage.Fail("no user name given");
                }
            }

            string? password;
            if (parse.GetValue(passwordStdin))
            {
                password = (await Console.In.ReadToEndAsync(ct)).TrimEnd('\r', '\n');
            }
            else if (SecretPrompt.CanAsk)
            {
                password = SecretPrompt.Ask("Password: ");
                if (password is null)
                {
                    Console.Error.WriteLine("zlayer: interrupted");
                    return ExitCodes.Failure;
                }
            }
            else
            {
                return Usage.Fail("standard input is not a terminal to ask for the password on: use --password-stdin");
            }

            if (password.Length == 0)
            {
                return Usage.Fail("the password is empty");
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    var login = await client.PostAsync<RegistryLoginResponse>(ApiPaths.RegistryLogin, new RegistryLoginRequest(host, user, password), ct);
                    Console.Out.WriteLine($"logged in to {login.Registry} as {login.Username}");
                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }
}
