using System.Text;

namespace ZLayer.Spec.Values;

/// <summary>POSIX-shell-like word splitting and quoting, as Compose applies to string commands.</summary>
public static class ShellWords
{
    public static bool TrySplit(string text, out List<string> words, out string error)
    {
        words = [];
        error = "";
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    {
                        inWord = true;
                        var end = text.IndexOf('\'', i + 1);
                        if (end < 0)
                        {
                            error = "unterminated single quote";
                            return false;
                        }

                        current.Append(text, i + 1, end - i - 1);
                        i = end;
                        break;
                    }

                case '"':
                    inWord = true;
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }

                        current.Append(text[i]);
                        i++;
                    }

                    if (i >= text.Length)
                    {
                        error = "unterminated double quote";
                        return false;
                    }

                    break;
                case '\\' when i + 1 < text.Length:
                    inWord = true;
                    current.Append(text[++i]);
                    break;
                default:
                    inWord = true;
                    current.Append(c);
                    break;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return true;
    }

    /// <summary>Joins words into one shell command line, quoting where the shell would otherwise split or expand.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)))
        {
            return word;
        }

        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
