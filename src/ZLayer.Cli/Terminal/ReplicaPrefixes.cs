namespace ZLayer.Cli.Terminal;

/// <summary>
/// Writes replica output lines as <c>web.1 | text</c>, each replica's prefix in a colour of its
/// own on a terminal, whole lines at a time so concurrent streams never mix within a line.
/// </summary>
public sealed class ReplicaPrefixes(ConsoleStyle style)
{
    private static readonly string[] Colours = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"];

    private readonly Dictionary<string, string> _assigned = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The prefix width that lines up <c>service.N</c> for replicas numbered up to <paramref name="replicas"/>.</summary>
    public static int Width(string service, int replicas) =>
        service.Length + 1 + Math.Max(1, replicas).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    public void Write(string replica, int width, string text)
    {
        lock (_lock)
        {
            if (!_assigned.TryGetValue(replica, out var colour))
            {
                colour = Colours[_assigned.Count % Colours.Length];
                _assigned[replica] = colour;
            }

            var prefix = replica.PadRight(width) + " |";
            Console.Out.WriteLine($"{(style.Enabled ? $"\u001b[{colour}m{prefix}\u001b[0m" : prefix)} {text}");
        }
    }
}
