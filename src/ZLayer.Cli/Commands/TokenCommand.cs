using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;
using ZLayer.Server.Auth;
using ZLayer.Spec.Values;

namespace ZLayer.Cli.Commands;

/// <summary><c>zlayer token create|ls|revoke</c>: the API's bearer tokens, managed by an admin (the local socket is one).</summary>
public static class TokenCommand
{
    private const string Tokens = ApiPaths.V1 + TokenRoutes.Path;

    public static Command Create()
    {
        var command = new Command("token", "Create, list and revoke bearer tokens for the API over TCP (needs admin: the local socket, or an admin token)");
        command.Subcommands.Add(CreateCreate());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateRevoke());
        return command;
    }

    private static Command CreateCreate()
    {
        var role = new Option<string>("--role")
        {
            Description = "viewer (read), operator (also deploy, down, scale, restart, jobs, exec, pull) or admin (everything)",
            Required = true,
        };
        role.CompletionSources.Add([.. ApiRoles.Names]);
        role.Validators.Add(r =>
        {
            if (!ApiRoles.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--role: '{r.GetValueOrDefault<string>()}' is not a role; use {string.Join(", ", ApiRoles.Names)}");
            }
        });
        var ttl = new Option<string>("--ttl")
        {
            Description = $"How long the token is valid, e.g. 12h, 30d (at most {TokenRules.MaxTtl.TotalDays:0}d)",
            HelpName = "DURATION",
            DefaultValueFactory = _ => $"{TokenRules.DefaultTtl.TotalDays:0}d",
        };
        ttl.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>() ?? "";
            if (!Duration.TryParse(text, out var duration, out var error))
            {
                r.AddError($"--ttl: {error}");
            }
            else if (duration.Value < TokenRules.MinTtl || duration.Value > TokenRules.MaxTtl)
            {
                r.AddError($"--ttl: {text} is outside 1s to {TokenRules.MaxTtl.TotalDays:0}d");
            }
        });
        var name = new Option<string?>("--name") { Description = "What the token is for, shown by `zlayer token ls` (e.g. ci, grafana)" };
        var command = new Command("create", "Issue a token; it is printed alone on the last line, and only this once");
        command.Options.Add(role);
        command.Options.Add(ttl);
        command.Options.Add(name);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                Duration.TryParse(parse.GetValue(ttl)!, out var duration, out _);
                var request = new TokenCreateRequest(parse.GetValue(role), (long)Math.Ceiling(duration.Value.TotalSeconds), parse.GetValue(name));
                var created = await client.PostAsync<TokenCreated>(Tokens, request, ct);
                Console.Error.WriteLine($"token {created.Id} ({created.Name}, {created.Role.Name()}) valid until {Stamp(created.ExpiresAt)}; revoke it with `zlayer token revoke {created.Id}`");
                Console.Out.WriteLine(created.Token);
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static Command CreateList()
    {
        var output = OutputOption.Create("table", "table", "json");
        var command = new Command("ls", "List the tokens still in date, revoked ones included (never their text)");
        command.Aliases.Add("list");
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var tokens = await client.GetAsync<List<TokenInfo>>(Tokens, ct);
                if (parse.GetValue(output) == "json")
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(tokens, StatusCommand.SnakeCase));
                    return ExitCodes.Success;
                }

                var table = new TextTable("ID", "NAME", "ROLE", "ISSUED", "EXPIRES", "STATE");
                foreach (var token in tokens)
                {
                    table.Add(token.Id, token.Name, token.Role.Name(), Stamp(token.IssuedAt), Stamp(token.ExpiresAt), token.RevokedAt is { } at ? $"revoked {Stamp(at)}" : "valid");
                }

                table.Write(Console.Out, ConsoleStyle.ForStdout());
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static Command CreateRevoke()
    {
        var ids = new Argument<string[]>("ID") { Description = "Token ids, as `zlayer token ls` and `zlayer token create` show them", Arity = ArgumentArity.OneOrMore };
        var command = new Command("revoke", "Revoke tokens: the daemon refuses them from the next request on");
        command.Arguments.Add(ids);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var exit = ExitCodes.Success;
                foreach (var id in parse.GetValue(ids)!)
                {
                    try
                    {
                        var revoked = await client.DeleteAsync<TokenInfo>($"{Tokens}/{Uri.EscapeDataString(id)}", ct);
                        Console.Out.WriteLine($"revoked {revoked.Id} ({revoked.Name})");
                    }
                    catch (ApiProblemException ex)
                    {
                        ClientCommand.Report(ex.Problem);
                        exit = ExitCodes.Failure;
                    }
                }

                return exit;
            },
            ct));
        return command;
    }

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
