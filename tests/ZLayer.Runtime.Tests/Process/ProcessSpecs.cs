using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Tests.Process;

/// <summary>Launch specs for process replicas.</summary>
internal static class ProcessSpecs
{
    public static ReplicaLaunchSpec Spec(string replicaId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, long? maxLogBytes = null) =>
        new(replicaId, "test", "svc", 0, command, workingDirectory,
            environment ?? new Dictionary<string, string>(), new Dictionary<string, int>(),
            new ServiceSpec { Name = "svc", Logs = maxLogBytes is { } max ? new LogsSpec { MaxSizeBytes = max } : null });
}
