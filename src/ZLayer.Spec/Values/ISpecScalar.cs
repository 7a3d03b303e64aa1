namespace ZLayer.Spec.Values;

/// <summary>
/// A value written as one YAML scalar with its own syntax (a duration, a memory size, an image
/// reference...). The binder parses it through <see cref="TryParse"/> and reports the error text.
/// </summary>
public interface ISpecScalar<TSelf>
    where TSelf : ISpecScalar<TSelf>
{
    static abstract bool TryParse(string text, out TSelf value, out string error);

    /// <summary>The canonical text written back out (by spec dump and the JSON form).</summary>
    string ToSpecString();

    /// <summary>A short description of the accepted syntax, used in the JSON Schema.</summary>
    static abstract string SyntaxDescription { get; }
}
