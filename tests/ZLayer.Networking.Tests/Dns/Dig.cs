using System.Net;
using System.Text.RegularExpressions;
using ZLayer.Networking.Tests.Support;

namespace ZLayer.Networking.Tests.Dns;

/// <summary>Runs the real <c>dig</c> (Debian dnsutils) against a server and reads what it printed.</summary>
internal static partial class Dig
{
    public static async Task<DigResult> RunAsync(IPEndPoint server, params string[] arguments)
    {
        var output = await Shell.OutputAsync("dig", [$"@{server.Address}", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+time=5", "+tries=1", .. arguments]);
        return new DigResult(output);
    }

    /// <summary>The answer section's data column (the last field of each record line), in order.</summary>
    public static async Task<List<string>> ShortAsync(IPEndPoint server, params string[] arguments) =>
        [.. (await RunAsync(server, ["+short", .. arguments])).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    [GeneratedRegex(@"status: (\w+)")]
    internal static partial Regex Status();

    [GeneratedRegex(@";; flags: ([a-z ]+);")]
    internal static partial Regex Flags();

    [GeneratedRegex(@"ANSWER: (\d+)")]
    internal static partial Regex AnswerCount();
}

internal sealed record DigResult(string Output)
{
    public string Status => Dig.Status().Match(Output) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"dig printed no status:\n{Output}");

    public string[] Flags => Dig.Flags().Match(Output) is { Success: true } m ? m.Groups[1].Value.Split(' ') : throw new InvalidOperationException($"dig printed no flags:\n{Output}");

    public int AnswerCount => int.Parse(Dig.AnswerCount().Matches(Output)[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The lines of a section (";; AUTHORITY SECTION:" and so on) up to the next blank line.</summary>
    public List<string> Section(string name)
    {
        var lines = Output.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith($";; {name} SECTION:", StringComparison.Ordinal));
        return start < 0 ? [] : [.. lines.Skip(start + 1).TakeWhile(l => l.Trim().Length > 0)];
    }
}
