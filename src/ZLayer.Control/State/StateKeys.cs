namespace ZLayer.Control.State;

/// <summary>
/// The key layout in the store. Prefixes end in '/', so a prefix read of one name never matches
/// another that merely starts with it.
/// </summary>
public static class StateKeys
{
    public const string Root = "/zlayer/";
    public const string Deployments = Root + "deployments/";
    public const string Scale = Root + "scale/";
    public const string Assignments = Root + "assignments/";
    public const string Status = Root + "status/";
    public const string Nodes = Root + "nodes/";
    public const string Events = Root + "events/";
    public const string Jobs = Root + "jobs/";
    public const string Autoscaler = Root + "autoscaler/";

    public static string Deployment(string name) => Deployments + name;

    public static string ScaleOf(string deployment, string service) => $"{Scale}{deployment}/{service}";

    /// <summary>The autoscaler's recent decisions for one service.</summary>
    public static string AutoscalerOf(string deployment, string service) => $"{Autoscaler}{deployment}/{service}";

    public static string Assignment(string deployment, string service, int index) => $"{Assignments}{deployment}/{service}/{index}";

    public static string AssignmentsOf(string deployment) => $"{Assignments}{deployment}/";

    public static string StatusOf(string deployment, string service, int index) => $"{Status}{deployment}/{service}/{index}";

    public static string StatusesOf(string deployment) => $"{Status}{deployment}/";

    public static string Node(string id) => Nodes + id;

    /// <summary>Zero-padded so that key order is sequence order.</summary>
    public static string Event(long sequence) => $"{Events}{sequence:D20}";

    public const string JobLogs = Root + "job-logs/";

    /// <summary>Zero-padded run number, so key order is run order.</summary>
    public static string Job(string deployment, string service, int number) => $"{Jobs}{deployment}/{service}/{number:D10}";

    public static string JobsOf(string deployment, string service) => $"{Jobs}{deployment}/{service}/";

    public static string JobLog(string deployment, string service, int number) => $"{JobLogs}{deployment}/{service}/{number:D10}";

    public static string ReplicaId(string deployment, string service, int index) => $"{deployment}.{service}.{index}";
}
