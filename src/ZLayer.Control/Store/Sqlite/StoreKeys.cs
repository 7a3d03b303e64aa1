using System.Text;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// Key rules shared by every statement. Keys are stored as UTF-8 text compared byte by byte (SQLite's
/// BINARY collation), which is the order etcd uses, so a prefix is the half-open range [prefix, end).
/// </summary>
internal static class StoreKeys
{
    public static void Validate(string key, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(key, parameterName);
        if (key.Length == 0)
        {
            throw new ArgumentException("a key cannot be empty", parameterName);
        }

        ValidateText(key, parameterName);
    }

    public static void ValidatePrefix(string prefix, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(prefix, parameterName);
        ValidateText(prefix, parameterName);
    }

    /// <summary>
    /// The smallest string greater than every string that starts with <paramref name="prefix"/>, or null
    /// when there is none (the empty prefix, or one made only of U+10FFFF). UTF-8 preserves code point
    /// order and no encoding is a prefix of another, so raising the last code point by one bounds the range.
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last == 0x10FFFF)
            {
                continue;
            }

            // Surrogate code points never occur in valid text, so the successor of U+D7FF is U+E000.
            var next = last + 1 == 0xD800 ? 0xE000 : last + 1;
            var builder = new StringBuilder(prefix.Length + 1);
            foreach (var rune in runes)
            {
                builder.Append(rune.ToString());
            }

            return builder.Append(new Rune(next).ToString()).ToString();
        }

        return null;
    }

    // A lone surrogate would be stored as U+FFFD, silently turning two keys into one.
    private static void ValidateText(string text, string parameterName)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
            {
                continue;
            }

            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            throw new ArgumentException($"a key must be valid Unicode text (lone surrogate at index {i})", parameterName);
        }
    }
}
