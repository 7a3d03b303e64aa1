namespace ZLayer.Spec.Compose;

/// <summary>
/// The variables a compose file is interpolated with, and that bare <c>environment: [KEY]</c> entries
/// read: the process environment layered over the project's <c>.env</c>.
/// </summary>
internal sealed class ComposeVariables
{
    private readonly Dictionary<string, string> _values;

    private ComposeVariables(Dictionary<string, string> values) => _values = values;

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>Every key of <paramref name="winners"/>, then those of <paramref name="fallbacks"/> not already set.</summary>
    public static ComposeVariables Layered(IEnumerable<KeyValuePair<string, string>> winners, IEnumerable<KeyValuePair<string, string>> fallbacks)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in winners)
        {
            values[key] = value;
        }

        foreach (var (key, value) in fallbacks)
        {
            values.TryAdd(key, value);
        }

        return new ComposeVariables(values);
    }

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public ComposeVariables WithDefault(string name, string value)
    {
        if (_values.ContainsKey(name))
        {
            return this;
        }

        var copy = new Dictionary<string, string>(_values, StringComparer.Ordinal) { [name] = value };
        return new ComposeVariables(copy);
    }

    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                result[key] = value;
            }
        }

        return result;
    }
}
