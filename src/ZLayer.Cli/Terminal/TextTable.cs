using System.Text;
using System.Text.RegularExpressions;

namespace ZLayer.Cli.Terminal;

/// <summary>
/// Columns aligned with spaces, as docker and kubectl print them; cells may carry colour, which
/// does not count towards the width. No borders, so the output greps and cuts cleanly.
/// </summary>
public sealed partial class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"a row needs {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void Write(TextWriter writer, ConsoleStyle style, string indent = "")
    {
        var widths = headers.Select((h, i) => _rows.Select(r => Visible(r[i])).Append(h.Length).Max()).ToArray();
        writer.WriteLine(indent + Line(headers.Select(style.Bold).ToArray(), headers, widths));
        foreach (var row in _rows)
        {
            writer.WriteLine(indent + Line(row, row, widths));
        }
    }

    private static string Line(string[] cells, string[] plain, int[] widths)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            sb.Append(cells[i]);
            if (i < cells.Length - 1)
            {
                sb.Append(' ', widths[i] - Visible(plain[i]) + 3);
            }
        }

        return sb.ToString().TrimEnd();
    }

    private static int Visible(string text) => Ansi().Replace(text, "").Length;

    [GeneratedRegex("\u001b\\[[0-9;]*m")]
    private static partial Regex Ansi();
}
