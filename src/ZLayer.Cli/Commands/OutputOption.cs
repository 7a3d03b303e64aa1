using System.CommandLine;

namespace ZLayer.Cli.Commands;

/// <summary><c>-o/--output FORMAT</c>, restricted to the formats a command can write.</summary>
public static class OutputOption
{
    public static Option<string> Create(string defaultFormat, params string[] formats)
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = $"Output format: {string.Join(", ", formats)}",
            DefaultValueFactory = _ => defaultFormat,
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }
}
