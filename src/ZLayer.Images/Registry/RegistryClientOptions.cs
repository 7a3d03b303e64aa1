namespace ZLayer.Images.Registry;

/// <summary>Time limits and retries for registry traffic.</summary>
/// <param name="ResponseTimeout">How long to wait for a response's headers.</param>
/// <param name="StallTimeout">How long a body may go without delivering a byte before the transfer counts as stalled.</param>
/// <param name="Attempts">Tries per blob; each retry resumes where the last one stopped.</param>
public sealed record RegistryClientOptions(TimeSpan ResponseTimeout, TimeSpan StallTimeout, int Attempts = 3)
{
    public static RegistryClientOptions Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    public string UserAgent { get; init; } = "zlayer/0.1";
}
