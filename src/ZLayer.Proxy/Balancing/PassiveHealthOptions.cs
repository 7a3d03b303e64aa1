namespace ZLayer.Proxy.Balancing;

/// <summary>
/// When a backend is taken out of rotation without an active health check: after
/// <see cref="FailuresToEject"/> connect failures in a row it is skipped for
/// <see cref="EjectionPeriod"/>, then tried again.
/// </summary>
public sealed record PassiveHealthOptions(int FailuresToEject = 3, TimeSpan? Ejection = null)
{
    public TimeSpan EjectionPeriod => Ejection ?? TimeSpan.FromSeconds(10);
}
