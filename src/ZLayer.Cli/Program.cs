using System.CommandLine;
using System.Runtime.InteropServices;
using ZLayer.Cli;
using ZLayer.Cli.Commands;

RootCommand root = null!;
root = new RootCommand("zlayer: run declarative ZLayer v1 specs and compose files as services on one machine or a cluster")
{
    ValidateCommand.Create(),
    ServeCommand.Create(),
    UpCommand.Create(),
    DeployCommand.Create(),
    DownCommand.Create(),
    PsCommand.Create(),
    StatusCommand.Create(),
    ScaleCommand.Create(),
    RestartCommand.Create(),
    LogsCommand.Create(),
    ExecCommand.Create(),
    JobCommand.Create(),
    InspectCommand.Create(),
    EventsCommand.Create(),
    ImageCommand.Create(),
    VolumeCommand.Create(),
    StatsCommand.Create(),
    LoginCommand.Create(),
    LogoutCommand.Create(),
    TokenCommand.Create(),
    SpecCommand.Create(),
    CompletionCommand.Create(() => root),
    VersionCommand.Create(),
    DemoServerCommand.Create(),
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

// SIGINT and SIGTERM cancel the running command, which stops gracefully and returns its own exit
// code; a second signal is left to the default handler and ends the process at once.
using var shutdown = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, shutdown.Token);

void Cancel(PosixSignalContext context)
{
    if (!shutdown.IsCancellationRequested)
    {
        context.Cancel = true;
        shutdown.Cancel();
    }
}

static IEnumerable<string> CommandPath(Command command)
{
    var names = new List<string>();
    for (var c = command; c is not null && c is not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
    {
        names.Insert(0, c.Name);
    }

    return names;
}
