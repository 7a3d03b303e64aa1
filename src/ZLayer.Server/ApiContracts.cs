using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Spec.Diagnostics;

namespace ZLayer.Server;

// The request and response bodies of the REST API that are not the control plane's own views.
// The CLI deserialises the same types, so a field renamed here is renamed for both sides.

/// <summary>Route prefixes, shared by the routes and the client.</summary>
public static class ApiPaths
{
    public const string V1 = "/api/v1";

    public const string Deployments = V1 + "/deployments";

    public const string Replicas = V1 + "/replicas";

    public const string Events = V1 + "/events";

    /// <summary>The Server-Sent Events stream's former path, kept as an alias of <see cref="Events"/> with <c>Accept: text/event-stream</c>.</summary>
    public const string EventStream = V1 + "/events/stream";

    /// <summary>The API's WebSocket: events and read-only resources over one connection (see docs/api.md, "WebSocket").</summary>
    public const string Socket = V1 + "/ws";

    /// <summary>Every job run of every deployment.</summary>
    public const string AllJobs = V1 + "/jobs";

    public const string Images = V1 + "/images";

    public const string Volumes = V1 + "/volumes";

    public const string Stats = V1 + "/stats";

    public const string ImagePull = Images + "/pull";

    public const string ImagePush = Images + "/push";

    public const string ImageImport = Images + "/import";

    public const string ImagePrune = Images + "/prune";

    public const string RegistryLogin = V1 + "/registries/login";

    public const string Live = "/health/live";

    public const string Ready = "/health/ready";

    public static string Deployment(string name) => $"{Deployments}/{Uri.EscapeDataString(name)}";

    /// <summary>The stored deployment record: the spec as submitted, with its generation.</summary>
    public static string DeploymentSpec(string name) => Deployment(name) + "/spec";

    public static string Service(string deployment, string service) =>
        $"{Deployment(deployment)}/services/{Uri.EscapeDataString(service)}";

    public static string Scale(string deployment, string service) => Service(deployment, service) + "/scale";

    public static string ServiceLogs(string deployment, string service) => Service(deployment, service) + "/logs";

    public static string Restart(string deployment, string service) => Service(deployment, service) + "/restart";

    public static string Jobs(string deployment, string service) => Service(deployment, service) + "/jobs";

    public static string Job(string deployment, string service, int run) =>
        $"{Jobs(deployment, service)}/{run.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static string JobLogs(string deployment, string service, int run) => Job(deployment, service, run) + "/logs";

    public static string ReplicaLogs(string replica) => $"{Replicas}/{Uri.EscapeDataString(replica)}/logs";

    public static string Exec(string replica) => $"{Replicas}/{Uri.EscapeDataString(replica)}/exec";

    /// <summary>The WebSocket of an interactive exec (see docs/api.md, "Interactive exec").</summary>
    public static string ExecSession(string replica) => Exec(replica) + "/session";

    /// <summary>One stored image, named by reference or digest; escaped whole, so its slashes stay in one segment.</summary>
    public static string Volume(string name) => $"{Volumes}/{Uri.EscapeDataString(name)}";

    public static string Image(string reference) => $"{Images}/{Uri.EscapeDataString(reference)}";

    public static string RegistryLogout(string host) => $"{V1}/registries/{Uri.EscapeDataString(host)}/login";
}

/// <summary>Body of <c>POST /api/v1/deployments</c> as JSON; raw YAML bodies carry only the spec.</summary>
/// <param name="Spec">The ZLayer v1 spec as YAML or JSON text (a JSON object is accepted too).</param>
/// <param name="Source">The file name diagnostics should name (default <c>request.yaml</c>).</param>
/// <param name="DeployedBy">Who deploys, as the client knows it (user@host); recorded, not trusted.</param>
public sealed record DeployRequest(string Spec, string? Source = null, string? DeployedBy = null);

/// <summary>Answer to an accepted deploy: 201 when the deployment is new, else 200.</summary>
public sealed record DeployResponse(
    string Deployment,
    long Generation,
    bool Created,
    DeployChanges Changes,
    IReadOnlyList<ApiDiagnostic> Warnings);

/// <summary>One spec diagnostic, with the same place and text as <c>zlayer validate</c> prints.</summary>
public sealed record ApiDiagnostic(string Severity, string Code, string Message, string File, int Line, int Column, string Path)
{
    public static ApiDiagnostic From(Diagnostic d) =>
        new(d.IsError ? "error" : "warning", d.Code, d.Message, d.Location.File, d.Location.Line, d.Location.Column, d.Path);

    public Diagnostic ToDiagnostic() =>
        new(Severity == "error" ? ZLayer.Spec.Diagnostics.Severity.Error : ZLayer.Spec.Diagnostics.Severity.Warning, Code, Message, new SourceLocation(File, Line, Column), Path);
}

/// <summary>Body of <c>POST .../services/{service}/scale</c>.</summary>
public sealed record ScaleRequest(int Replicas);

/// <summary>Answer to a scale: the new count and the one it replaced.</summary>
public sealed record ScaleResponse(string Deployment, string Service, int Replicas, int Previous);

/// <summary>
/// A replica as the API lists it: the agent's last report merged with the scheduler's assignment.
/// An assigned replica that no agent has reported yet is listed as <c>pending</c>.
/// </summary>
/// <param name="UpToDate">
/// Whether the replica runs the service spec of the current generation; `zlayer deploy --wait`
/// counts only these, so replicas of the previous spec do not end the wait early.
/// </param>
public sealed record ReplicaResource(
    string Replica,
    string Deployment,
    string Service,
    int Index,
    string Node,
    ReplicaState State,
    HealthState Health,
    string? Address,
    IReadOnlyDictionary<string, int> Ports,
    int Restarts,
    int? ExitCode,
    string? Message,
    DateTimeOffset? StartedAt,
    DateTimeOffset? UpdatedAt,
    bool UpToDate,
    string? RuntimeId,
    int? Pid);

/// <summary>One line of a replica's output, as the logs routes stream it (one JSON object per line).</summary>
public sealed record LogRecord(string Replica, DateTimeOffset Time, string Stream, string Text);

/// <summary>Body of <c>POST /api/v1/replicas/{replica}/exec</c>.</summary>
/// <param name="Command">The program and its arguments, run with the replica's environment.</param>
/// <param name="TimeoutSeconds">How long the command may run before it is killed (default 60).</param>
/// <param name="Stdin">Text given to the command on its standard input.</param>
public sealed record ExecRequest(IReadOnlyList<string> Command, int? TimeoutSeconds = null, string? Stdin = null);

/// <summary>How an exec ended: the command's own exit code and its output.</summary>
public sealed record ExecResponse(string Replica, int ExitCode, string Stdout, string Stderr);

/// <summary>The first message (text) on an interactive exec WebSocket: what to run, and how.</summary>
/// <param name="Tty">A terminal of <paramref name="Rows"/> by <paramref name="Columns"/> (default 24 by 80), or plain pipes.</param>
public sealed record ExecSessionStart(IReadOnlyList<string> Command, bool Tty = false, int? Rows = null, int? Columns = null);

/// <summary>
/// The framing of an interactive exec WebSocket. Binary messages carry bytes: from the client,
/// the command's input; from the daemon, one stream byte (<see cref="Stdout"/> or
/// <see cref="Stderr"/>) then output. Text messages carry JSON: from the client
/// <c>{"type":"resize","rows":R,"columns":C}</c> or <c>{"type":"eof"}</c>; from the daemon, last,
/// <c>{"exitCode":N}</c> or <c>{"error":"...","path":"$..."}</c>.
/// </summary>
public static class ExecSessionFrames
{
    public const byte Stdout = 1;
    public const byte Stderr = 2;
}

/// <summary>Answer to a rolling restart, sent once every replica is healthy again.</summary>
public sealed record RestartResponse(string Deployment, string Service, int Restarted);

/// <summary>An RFC 7807 problem document as the API writes it (<c>application/problem+json</c>).</summary>
/// <param name="Type">A URN naming the kind of problem, stable for clients to switch on.</param>
/// <param name="Field">For a bad request: the JSON path (or parameter) of the offending field.</param>
/// <param name="Errors">For an invalid spec: every diagnostic, errors and warnings.</param>
public sealed record ApiProblem(
    string Type,
    string Title,
    int Status,
    string? Detail = null,
    string? Instance = null,
    string? Field = null,
    IReadOnlyList<ApiDiagnostic>? Errors = null);
