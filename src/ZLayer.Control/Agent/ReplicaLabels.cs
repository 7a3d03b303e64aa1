using System.Globalization;

namespace ZLayer.Control.Agent;

/// <summary>The labels the agent asks runtimes to keep with a replica, so a restarted daemon can re-adopt it.</summary>
public static class ReplicaLabels
{
    public const string Deployment = "zlayer.deployment";
    public const string Service = "zlayer.service";
    public const string Index = "zlayer.index";
    public const string SpecHash = "zlayer.spec-hash";
    public const string PortPrefix = "zlayer.port.";

    public static Dictionary<string, string> For(Model.ReplicaAssignment assignment, IReadOnlyDictionary<string, int> ports)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Deployment] = assignment.Deployment,
            [Service] = assignment.Service,
            [Index] = assignment.Index.ToString(CultureInfo.InvariantCulture),
            [SpecHash] = assignment.SpecHash,
        };
        foreach (var (name, port) in ports)
        {
            labels[PortPrefix + name] = port.ToString(CultureInfo.InvariantCulture);
        }

        return labels;
    }

    public static Dictionary<string, int> Ports(IReadOnlyDictionary<string, string> labels) =>
        labels.Where(l => l.Key.StartsWith(PortPrefix, StringComparison.Ordinal) && int.TryParse(l.Value, CultureInfo.InvariantCulture, out _))
            .ToDictionary(l => l.Key[PortPrefix.Length..], l => int.Parse(l.Value, CultureInfo.InvariantCulture));
}
