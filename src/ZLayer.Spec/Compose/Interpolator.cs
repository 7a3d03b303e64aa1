using System.Text;

namespace ZLayer.Spec.Compose;

/// <summary>One problem found while interpolating a value; the caller knows where the value was written.</summary>
internal readonly record struct InterpolationIssue(bool IsError, string Message);

/// <summary>
/// Compose variable interpolation of one string: <c>$V</c>, <c>${V}</c>, <c>${V:-d}</c>, <c>${V-d}</c>,
/// <c>${V:+a}</c>, <c>${V+a}</c>, <c>${V:?e}</c>, <c>${V?e}</c>, nesting inside the argument, and
/// <c>$$</c> for a literal <c>$</c>. Arguments are expanded only when used, as a shell does, so an
/// error or warning inside a default that is not taken is not reported.
/// </summary>
/// <param name="lenient">
/// For env files: a '$' that starts no variable is kept as written instead of being an error, because
/// such files commonly hold passwords and other text with a bare '$'.
/// </param>
internal sealed class Interpolator(Func<string, string?> lookup, int maxDepth, bool lenient = false)
{
    public string Apply(string text, List<InterpolationIssue> issues) =>
        text.Contains('$', StringComparison.Ordinal) ? Expand(text, 0, issues) : text;

    private string Expand(string text, int depth, List<InterpolationIssue> issues)
    {
        if (depth > maxDepth)
        {
            issues.Add(new(true, $"interpolation nested more than {maxDepth} levels deep"));
            return "";
        }

        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var dollar = text.IndexOf('$', i);
            if (dollar < 0)
            {
                sb.Append(text, i, text.Length - i);
                break;
            }

            sb.Append(text, i, dollar - i);
            if (dollar + 1 >= text.Length)
            {
                if (lenient)
                {
                    sb.Append('$');
                    break;
                }

                issues.Add(new(true, $"invalid interpolation format in \"{Shorten(text)}\": a '$' at the end; write $$ for a literal $"));
                break;
            }

            var next = text[dollar + 1];
            if (next == '$')
            {
                sb.Append('$');
                i = dollar + 2;
            }
            else if (next == '{')
            {
                var close = FindClosingBrace(text, dollar + 2);
                if (close < 0 && lenient)
                {
                    sb.Append(text, dollar, text.Length - dollar);
                    break;
                }

                if (close < 0)
                {
                    issues.Add(new(true, $"invalid interpolation format in \"{Shorten(text)}\": '${{' has no closing '}}'"));
                    break;
                }

                var inner = text[(dollar + 2)..close];
                sb.Append(lenient && !IsValidBraced(inner) ? text[dollar..(close + 1)] : ExpandBraced(inner, depth, issues));
                i = close + 1;
            }
            else if (IsNameStart(next))
            {
                var end = dollar + 1;
                while (end < text.Length && IsNameChar(text[end]))
                {
                    end++;
                }

                var name = text[(dollar + 1)..end];
                sb.Append(Lookup(name, issues, ZLayerReferenceHint(text, name, end)));
                i = end;
            }
            else
            {
                if (!lenient)
                {
                    issues.Add(new(true, $"invalid interpolation format in \"{Shorten(text)}\": '$' must be followed by a variable name, '{{' or '$'; write $$ for a literal $"));
                }

                sb.Append('$');
                i = dollar + 1;
            }
        }

        return sb.ToString();
    }

    /// <summary>Index of the '}' closing a '${' whose content starts at <paramref name="start"/>, honouring nested '${...}'.</summary>
    private static int FindClosingBrace(string text, int start)
    {
        var depth = 1;
        for (var k = start; k < text.Length; k++)
        {
            if (text[k] == '$' && k + 1 < text.Length && text[k + 1] is '$' or '{')
            {
                if (text[k + 1] == '{')
                {
                    depth++;
                }

                k++;
                continue;
            }

            if (text[k] == '}' && --depth == 0)
            {
                return k;
            }
        }

        return -1;
    }

    private string ExpandBraced(string inner, int depth, List<InterpolationIssue> issues)
    {
        var end = 0;
        if (inner.Length > 0 && IsNameStart(inner[0]))
        {
            end = 1;
            while (end < inner.Length && IsNameChar(inner[end]))
            {
                end++;
            }
        }

        if (end == 0)
        {
            issues.Add(new(true, InvalidBraced(inner)));
            return "";
        }

        var name = inner[..end];
        if (end == inner.Length)
        {
            return Lookup(name, issues, hint: null);
        }

        var colon = inner[end] == ':';
        var opAt = colon ? end + 1 : end;
        if (opAt >= inner.Length || inner[opAt] is not ('-' or '+' or '?'))
        {
            issues.Add(new(true, InvalidBraced(inner)));
            return "";
        }

        var op = inner[opAt];
        var argument = inner[(opAt + 1)..];
        var value = lookup(name);
        // With ':' an empty value counts as missing; without it only an unset variable does.
        var present = colon ? !string.IsNullOrEmpty(value) : value is not null;
        switch (op)
        {
            case '-':
                return present ? value! : Expand(argument, depth + 1, issues);
            case '+':
                return present ? Expand(argument, depth + 1, issues) : "";
            default:
                if (present)
                {
                    return value!;
                }

                var message = Expand(argument, depth + 1, issues);
                issues.Add(new(true, message.Length == 0
                    ? $"required variable {name} is missing a value"
                    : $"required variable {name} is missing a value: {message}"));
                return "";
        }
    }

    private static bool IsValidBraced(string inner)
    {
        var end = 0;
        while (end < inner.Length && (end == 0 ? IsNameStart(inner[end]) : IsNameChar(inner[end])))
        {
            end++;
        }

        if (end == 0)
        {
            return false;
        }

        if (end < inner.Length && inner[end] == ':')
        {
            end++;
        }

        return end == inner.Length ? inner[^1] != ':' : inner[end] is '-' or '+' or '?';
    }

    private string Lookup(string name, List<InterpolationIssue> issues, string? hint)
    {
        if (lookup(name) is { } value)
        {
            return value;
        }

        issues.Add(new(false, $"variable {name} is not set, using empty string{hint}"));
        return "";
    }

    /// <summary>ZLayer's own <c>$E:</c>/<c>$S:</c> references look like compose variables; say how to pass them through.</summary>
    private static string? ZLayerReferenceHint(string text, string name, int end) =>
        name is "E" or "S" && end < text.Length && text[end] == ':'
            ? $" (to pass the ZLayer reference ${name}: through, write $${name}:)"
            : null;

    private static string InvalidBraced(string inner)
    {
        var message = $"invalid interpolation format \"${{{Shorten(inner)}}}\": expected ${{NAME}}, ${{NAME:-default}}, ${{NAME-default}}, ${{NAME:+value}}, ${{NAME+value}}, ${{NAME:?error}} or ${{NAME?error}}";
        var dot = inner.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && inner.All(c => IsNameChar(c) || c == '.'))
        {
            message += $" (to pass the ZLayer reference ${{{inner}}} through, write $${{{inner}}})";
        }

        return message;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
