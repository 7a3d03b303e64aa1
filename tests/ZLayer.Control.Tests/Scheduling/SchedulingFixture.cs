using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store.Sqlite;

namespace ZLayer.Control.Tests.Scheduling;

/// <summary>
/// What the scheduling tests share: a real SQLite store in a temp directory, on a fake clock, with the
/// public APIs (<see cref="ControlPlane"/>, <see cref="JobOperations"/>) that write desired state as the
/// REST API would. Tests drive one pass of a loop at a time, so nothing here runs in the background.
/// </summary>
public abstract class SchedulingFixture : IAsyncLifetime
{
    protected const string NodeId = "node-1";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("zlayer-scheduling-");
    private SqliteStateStore? _store;

    protected SchedulingFixture()
        : this(new FakeClock())
    {
    }

    protected SchedulingFixture(FakeClock clock)
    {
        Clock = clock;
    }

    protected FakeClock Clock { get; }

    protected StateRepository Repository { get; private set; } = null!;

    protected EventLog Events { get; private set; } = null!;

    protected ControlPlane Control { get; private set; } = null!;

    protected JobOperations Jobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_directory.FullName, "state.db"), Clock);
        Repository = new StateRepository(_store);
        Events = new EventLog(_store, Clock);
        Control = new ControlPlane(Repository, Events, Clock);
        Jobs = new JobOperations(Repository, Events, Clock);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing the test over it would not be.
        }
    }

    /// <summary>A v1 spec of <paramref name="deployment"/> with the given service blocks (YAML, indented under <c>services:</c>).</summary>
    protected static string Spec(string deployment, params string[] services) =>
        $"version: v1\ndeployment: {deployment}\nservices:\n{string.Concat(services)}";

    /// <summary>A long-running process service; <paramref name="scale"/> is the flow mapping after <c>scale:</c>, or null to omit it.</summary>
    protected static string Service(string name, string? scale, string sleep = "100") =>
        $"  {name}:\n    runtime: process\n    command: {{ entrypoint: [sleep, \"{sleep}\"] }}\n" +
        (scale is null ? "" : $"    scale: {scale}\n");

    protected static string Job(string name) =>
        $"  {name}:\n    rtype: job\n    runtime: process\n    command: {{ entrypoint: [sh, -c, \"echo hi\"] }}\n";

    protected static string Cron(string name, string schedule) =>
        $"  {name}:\n    rtype: cron\n    schedule: \"{schedule}\"\n    runtime: process\n    command: {{ entrypoint: [sh, -c, \"echo hi\"] }}\n";

    /// <summary>Deploys through the API; a spec the loader refuses fails the test with its diagnostics, not later with a puzzling count.</summary>
    protected async Task<DeployOutcome> DeployAsync(string specText)
    {
        var outcome = await Control.DeployAsync(specText, "zlayer.yaml", "tests");
        Assert.True(outcome.Accepted, string.Join("\n", outcome.Diagnostics.Select(d => d.ToString())));
        return outcome;
    }

    /// <summary>The assignments of one service, by index.</summary>
    protected async Task<List<ReplicaAssignment>> AssignmentsAsync(string deployment, string service) =>
        [.. (await Repository.AssignmentsAsync(deployment)).Where(a => a.Service == service).OrderBy(a => a.Index)];

    /// <summary>The events of one type, oldest first, as `zlayer events` lists them.</summary>
    protected async Task<List<ClusterEvent>> EventsAsync(string type) =>
        [.. (await Events.ListAsync()).Where(e => e.Type == type)];
}
