namespace ZLayer.TestImages.Registry;

/// <summary>One entry of a token's access claim, or of a requested scope (<c>repository:NAME:pull,push</c>).</summary>
public sealed record TokenAccess(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>Parses <c>TYPE:NAME:ACTIONS</c>; the name may hold colons (a registry host with a port), the type and actions do not.</summary>
    public static TokenAccess Parse(string scope)
    {
        var first = scope.IndexOf(':');
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last == first)
        {
            throw new FormatException($"'{scope}' is not a scope (type:name:actions)");
        }

        var actions = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        return new TokenAccess(scope[..first], scope[(first + 1)..last], actions);
    }

    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";
}
