using System.Text;

namespace ZLayer.Spec.Substitution;

public enum EnvTokenKind
{
    Literal,

    /// <summary><c>$E:NAME</c>: an environment variable, anywhere in the value.</summary>
    EnvVar,

    /// <summary><c>${service.host}</c>, <c>${service.port}</c>, <c>${service.endpoint.NAME}</c>.</summary>
    ServiceRef,

    /// <summary>A whole-value secret reference (<c>$S:…</c> or <c>$secret://…</c>).</summary>
    Secret,
}

/// <param name="Text">Literal text (with <c>$$</c> already turned into <c>$</c>), the variable name, or the reference.</param>
/// <param name="Service">For <see cref="EnvTokenKind.ServiceRef"/>: the service named.</param>
/// <param name="Property">For service references: host, port or endpoint.</param>
/// <param name="Endpoint">For <c>${service.endpoint.NAME}</c>: the endpoint name.</param>
public sealed record EnvToken(EnvTokenKind Kind, string Text, string? Service = null, string? Property = null, string? Endpoint = null);

/// <summary>
/// The substitution syntax of env values (SPEC.md Part A items 3 and 6): <c>$E:NAME</c> anywhere,
/// <c>$$</c> for a literal <c>$</c>, upstream's whole-value <c>$S:</c> secret forms, and our
/// <c>${service.*}</c> references. Resolution happens in stages (the CLI resolves <c>$E:</c> at
/// deploy; the node resolves secrets and service references at start), so each stage re-escapes
/// what it substitutes with <see cref="Escape"/>.
/// </summary>
public static class EnvTemplate
{
    public static bool TryParse(string value, out List<EnvToken> tokens, out string error)
    {
        tokens = [];
        error = "";
        if (value.StartsWith("$S:", StringComparison.Ordinal) || value.StartsWith("$secret://", StringComparison.Ordinal))
        {
            if (!SecretReference.TryParse(value, out _, out error))
            {
                return false;
            }

            tokens.Add(new EnvToken(EnvTokenKind.Secret, value));
            return true;
        }

        var literal = new StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c != '$' || i + 1 >= value.Length)
            {
                literal.Append(c);
                i++;
                continue;
            }

            var next = value[i + 1];
            if (next == '$')
            {
                literal.Append('$');
                i += 2;
            }
            else if (next == 'E' && i + 2 < value.Length && value[i + 2] == ':')
            {
                var start = i + 3;
                var end = start;
                while (end < value.Length && (char.IsAsciiLetterOrDigit(value[end]) || value[end] == '_'))
                {
                    end++;
                }

                if (end == start || char.IsAsciiDigit(value[start]))
                {
                    error = $"'$E:' at position {i + 1} must be followed by a variable name ([A-Za-z_][A-Za-z0-9_]*)";
                    return false;
                }

                Flush(literal, tokens);
                tokens.Add(new EnvToken(EnvTokenKind.EnvVar, value[start..end]));
                i = end;
            }
            else if (next == '{' && TryServiceRef(value, i, out var token, out var length))
            {
                Flush(literal, tokens);
                tokens.Add(token);
                i += length;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }

        Flush(literal, tokens);
        return true;
    }

    /// <summary>Recognises <c>${svc.host}</c>, <c>${svc.port}</c>, <c>${svc.endpoint.NAME}</c>; anything else in braces stays literal.</summary>
    private static bool TryServiceRef(string value, int at, out EnvToken token, out int length)
    {
        token = null!;
        length = 0;
        var close = value.IndexOf('}', at + 2);
        if (close < 0)
        {
            return false;
        }

        var body = value[(at + 2)..close];
        var parts = body.Split('.');
        if (parts.Length < 2 || parts.Any(p => p.Length == 0) || !parts[0].All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-'))
        {
            return false;
        }

        switch (parts)
        {
            case [var svc, "host"]:
            case [var svc2, "port"]:
                token = new EnvToken(EnvTokenKind.ServiceRef, value[at..(close + 1)], parts[0], parts[1]);
                break;
            case [var svc3, "endpoint", var endpoint]:
                token = new EnvToken(EnvTokenKind.ServiceRef, value[at..(close + 1)], parts[0], "endpoint", endpoint);
                break;
            default:
                return false;
        }

        length = close + 1 - at;
        return true;
    }

    private static void Flush(StringBuilder literal, List<EnvToken> tokens)
    {
        if (literal.Length > 0)
        {
            tokens.Add(new EnvToken(EnvTokenKind.Literal, literal.ToString()));
            literal.Clear();
        }
    }

    /// <summary>Escapes a substituted value so that a later stage reads its <c>$</c> literally.</summary>
    public static string Escape(string text) => text.Replace("$", "$$", StringComparison.Ordinal);

    /// <summary>
    /// Resolves <c>$E:</c> references with <paramref name="lookup"/>, keeping every other form for a
    /// later stage. Returns the names that were not found (the value is then not usable).
    /// </summary>
    public static string ResolveEnvironment(string value, Func<string, string?> lookup, out List<string> missing)
    {
        missing = [];
        if (!TryParse(value, out var tokens, out _))
        {
            return value;
        }

        var sb = new StringBuilder();
        foreach (var token in tokens)
        {
            switch (token.Kind)
            {
                case EnvTokenKind.EnvVar:
                    var resolved = lookup(token.Text);
                    if (resolved is null)
                    {
                        missing.Add(token.Text);
                    }
                    else
                    {
                        sb.Append(Escape(resolved));
                    }

                    break;
                case EnvTokenKind.Literal:
                    sb.Append(Escape(token.Text));
                    break;
                default:
                    sb.Append(token.Text);
                    break;
            }
        }

        return sb.ToString();
    }
}
