using System.Text;
using System.Text.RegularExpressions;
using ZLayer.Spec.Diagnostics;

namespace ZLayer.Spec.Compose;

internal readonly record struct DotEnvEntry(string Key, string Value, SourceLocation Location);

/// <summary>
/// Reads <c>.env</c> and <c>env_file</c> files: <c>KEY=VALUE</c> lines, <c>#</c> comments (also after an
/// unquoted value, when preceded by a space), an optional <c>export </c> prefix, single quotes (literal),
/// double quotes (escapes, interpolation, may span lines), and a bare <c>KEY</c> that takes its value
/// from the outer environment. Values are interpolated with compose syntax; <c>raw</c> format skips that.
/// </summary>
internal static partial class DotEnvParser
{
    public static List<DotEnvEntry> Parse(
        string text,
        string file,
        Func<string, string?> outer,
        bool outerWins,
        bool raw,
        ComposeReporter reporter,
        int maxInterpolationDepth)
    {
        var entries = new List<DotEnvEntry>();
        var local = new Dictionary<string, string>(StringComparer.Ordinal);
        // Inside one file a value may use the variables defined above it; whether those or the outer
        // environment win follows the file's role (.env yields to the process, env_file does not).
        var interpolator = new Interpolator(
            name => outerWins
                ? outer(name) ?? (local.TryGetValue(name, out var v) ? v : null)
                : (local.TryGetValue(name, out var w) ? w : null) ?? outer(name),
            maxInterpolationDepth,
            lenient: true);
        var lines = text.Split('\n');
        for (var li = 0; li < lines.Length; li++)
        {
            var line = lines[li].TrimEnd('\r');
            var body = line.TrimStart(' ', '\t');
            var column = line.Length - body.Length + 1;
            if (body.Length == 0 || body[0] == '#')
            {
                continue;
            }

            if (body.StartsWith("export ", StringComparison.Ordinal) || body.StartsWith("export\t", StringComparison.Ordinal))
            {
                var rest = body[7..].TrimStart(' ', '\t');
                column += body.Length - rest.Length;
                body = rest;
            }

            var lineNumber = li + 1;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? body : body[..equals]).TrimEnd(' ', '\t');
            if (!KeyRegex().IsMatch(key))
            {
                reporter.Error(ComposeCodes.EnvFile, $"invalid variable name '{Shorten(key)}' in env file; expected KEY=VALUE", new SourceLocation(file, lineNumber, column), "");
                continue;
            }

            if (equals < 0)
            {
                if (outer(key) is { } inherited)
                {
                    Add(key, inherited, new SourceLocation(file, lineNumber, column));
                }

                continue;
            }

            var afterEquals = body[(equals + 1)..];
            var valueText = afterEquals.TrimStart(' ', '\t');
            var at = new SourceLocation(file, lineNumber, column + equals + 1 + (afterEquals.Length - valueText.Length));
            if (raw)
            {
                Add(key, valueText.TrimEnd(' ', '\t'), at);
                continue;
            }

            string value;
            if (valueText.Length > 0 && valueText[0] is '\'' or '"')
            {
                var quote = valueText[0];
                var content = new StringBuilder();
                var remainder = valueText[1..];
                int close;
                while ((close = FindClosingQuote(remainder, quote)) < 0 && li + 1 < lines.Length)
                {
                    content.Append(remainder).Append('\n');
                    remainder = lines[++li].TrimEnd('\r');
                }

                if (close < 0)
                {
                    reporter.Error(ComposeCodes.EnvFile, $"the {(quote == '"' ? "double" : "single")} quote opened here is never closed", at, key);
                    break;
                }

                content.Append(remainder, 0, close);
                value = quote == '\'' ? content.ToString() : Interpolate(Unescape(content.ToString()), at, key);
            }
            else
            {
                var comment = InlineCommentRegex().Match(valueText);
                var unquoted = (comment.Success ? valueText[..comment.Index] : valueText).Trim(' ', '\t');
                value = Interpolate(unquoted, at, key);
            }

            Add(key, value, at);
        }

        return entries;

        void Add(string key, string value, SourceLocation at)
        {
            entries.Add(new DotEnvEntry(key, value, at));
            local[key] = value;
        }

        string Interpolate(string value, SourceLocation at, string key)
        {
            var issues = new List<InterpolationIssue>();
            var result = interpolator.Apply(value, issues);
            foreach (var issue in issues)
            {
                if (issue.IsError)
                {
                    reporter.Error(ComposeCodes.Interpolation, issue.Message, at, key);
                }
                else
                {
                    reporter.Warning(ComposeCodes.UnsetVariable, issue.Message, at, key);
                }
            }

            return result;
        }
    }

    private static int FindClosingQuote(string text, char quote)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (quote == '"' && text[i] == '\\')
            {
                i++;
                continue;
            }

            if (text[i] == quote)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Double-quoted escapes; <c>\$</c> becomes <c>$$</c> so that interpolation keeps it literal.</summary>
    private static string Unescape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length)
            {
                sb.Append(text[i]);
                continue;
            }

            var next = text[++i];
            sb.Append(next switch
            {
                'n' => "\n",
                'r' => "\r",
                't' => "\t",
                '"' => "\"",
                '\\' => "\\",
                '$' => "$$",
                _ => "\\" + next,
            });
        }

        return sb.ToString();
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-]*$")]
    private static partial Regex KeyRegex();

    [GeneratedRegex(@"[ \t]#")]
    private static partial Regex InlineCommentRegex();
}
