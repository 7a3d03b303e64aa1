namespace ZLayer.Networking.Dns;

/// <summary>One service of one deployment as DNS serves it: its healthy replicas and its ports.</summary>
public sealed record DnsServiceEntry(string Deployment, string Service, IReadOnlyList<DnsReplica> Replicas, IReadOnlyList<DnsServicePort> Ports);
