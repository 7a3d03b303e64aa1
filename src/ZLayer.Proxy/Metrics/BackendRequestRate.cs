namespace ZLayer.Proxy.Metrics;

/// <summary>Requests per second one replica received over the last reading interval.</summary>
public sealed record BackendRequestRate(string Deployment, string Service, string Endpoint, string ReplicaId, double RequestsPerSecond, int InFlight);
