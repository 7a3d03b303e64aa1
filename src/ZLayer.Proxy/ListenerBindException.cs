namespace ZLayer.Proxy;

/// <summary>
/// Ports a table wanted that could not be opened (in use, privileged). Everything else of the table
/// is in force; the failed ports are tried again by the next <see cref="NodeProxy.ApplyAsync"/>.
/// </summary>
public sealed class ListenerBindException(IReadOnlyList<string> failures)
    : Exception(string.Join("; ", failures))
{
    public IReadOnlyList<string> Failures { get; } = failures;
}
