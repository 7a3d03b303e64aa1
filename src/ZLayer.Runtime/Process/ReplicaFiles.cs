namespace ZLayer.Runtime.Process;

/// <summary>The files of one replica under the runtime's state directory, and who writes each.</summary>
internal sealed class ReplicaFiles(string stateDirectory, string replicaId)
{
    public string Directory { get; } = Path.Combine(stateDirectory, replicaId);

    /// <summary>The daemon's record (<see cref="ProcessRecord"/>).</summary>
    public string Record => Path.Combine(Directory, "record.json");

    /// <summary>The shim script the replica was started with (a copy per replica, so a daemon upgrade never edits a running shim's file).</summary>
    public string Shim => Path.Combine(Directory, "shim.pl");

    /// <summary>Written by the shim: the current log of both streams.</summary>
    public string Log => Path.Combine(Directory, "log");

    /// <summary>Written by the shim: the previous log, after rotation.</summary>
    public string RotatedLog => Path.Combine(Directory, "log.1");

    /// <summary>Written by the shim: pids, start times and the exec result (<see cref="ShimStatus"/>).</summary>
    public string Pid => Path.Combine(Directory, "pid");

    /// <summary>Written by the shim: the exit status.</summary>
    public string Exit => Path.Combine(Directory, "exit");

    /// <summary>Written by the shim: its own diagnostics.</summary>
    public string ShimErrors => Path.Combine(Directory, "shim.err");
}
