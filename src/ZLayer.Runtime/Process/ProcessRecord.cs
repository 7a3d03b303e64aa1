using System.Text.Json.Serialization;

namespace ZLayer.Runtime.Process;

/// <summary>
/// What the daemon keeps on disk about one replica (record.json), enough for a restarted daemon to
/// find, identify and describe it. Environment values are never stored: they may be secrets.
/// </summary>
internal sealed class ProcessRecord
{
    public int Version { get; set; } = 1;

    public string ReplicaId { get; set; } = "";

    /// <summary>Random per creation, so a handle of a removed and re-created replica is not mistaken for the new one.</summary>
    public string RuntimeId { get; set; } = "";

    /// <summary>The absolute path that is exec'd.</summary>
    public string Program { get; set; } = "";

    /// <summary>The argv the program gets (argv[0] as the user wrote it).</summary>
    public List<string> Argv { get; set; } = [];

    /// <summary>Names of the environment variables the program gets, without their values.</summary>
    public List<string> EnvironmentNames { get; set; } = [];

    public string WorkingDirectory { get; set; } = "";

    public Dictionary<string, string> Labels { get; set; } = [];

    public long MaxLogBytes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>The program's pid and its start time (field 22 of /proc/PID/stat); together they detect PID reuse.</summary>
    public int? Pid { get; set; }

    public long? PidStartTime { get; set; }

    public int? ShimPid { get; set; }

    public long? ShimStartTime { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>Why the exit code is unknown, or why the program never ran.</summary>
    public string? ExitMessage { get; set; }

    public static ProcessRecord? Load(string path) => RecordFile.Load(path, ProcessRecordJson.Default.ProcessRecord, "replica record");

    public void Save(string path) => RecordFile.Save(path, this, ProcessRecordJson.Default.ProcessRecord);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProcessRecord))]
internal sealed partial class ProcessRecordJson : JsonSerializerContext;
