using System.CommandLine;
using ZLayer.Cli;
using ZLayer.Cli.Commands;

RootCommand root = null!;
root = new RootCommand("zlayer: run declarative ZLayer v1 specs and compose files as services on one machine or a cluster")
{
    ValidateCommand.Create(),
    SpecCommand.Create(),
    CompletionCommand.Create(() => root),
    VersionCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"zlayer: {error.Message}");
    }

    var commandPath = parse.CommandResult.Command == root ? "zlayer" : $"zlayer {string.Join(' ', CommandPath(parse.CommandResult.Command))}";
    Console.Error.WriteLine($"Run '{commandPath} --help' for usage.");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync();

static IEnumerable<string> CommandPath(Command command)
{
    var names = new List<string>();
    for (var c = command; c is not null && c is not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
    {
        names.Insert(0, c.Name);
    }

    return names;
}
