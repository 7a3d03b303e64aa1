namespace ZLayer.Images.Tests.Pull;

/// <summary>An IProgress that reports on the caller's thread, so a test sees every step in order once the call returns.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _lock = new();

    public void Report(T value)
    {
        lock (_lock)
        {
            report(value);
        }
    }
}
