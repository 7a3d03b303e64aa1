using System.CommandLine;
using ZLayer.Cli.Completion;

namespace ZLayer.Cli.Commands;

public static class CompletionCommand
{
    public static Command Create(Func<RootCommand> root)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong([.. CompletionScripts.Shells]);
        var command = new Command("completion", "Print a shell completion script (bash, zsh, fish)");
        command.Arguments.Add(shell);
        command.SetAction(parse =>
        {
            Console.Out.Write(CompletionScripts.For(parse.GetValue(shell)!, root()));
            return ExitCodes.Success;
        });
        return command;
    }
}
