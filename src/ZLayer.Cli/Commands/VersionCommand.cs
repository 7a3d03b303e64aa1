using System.CommandLine;
using System.Reflection;

namespace ZLayer.Cli.Commands;

public static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static Command Create()
    {
        var command = new Command("version", "Print the zlayer version");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine($"zlayer {Version}");
            return ExitCodes.Success;
        });
        return command;
    }
}
