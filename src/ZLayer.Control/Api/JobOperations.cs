using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Api;

/// <summary>
/// Runs of job and cron services: a trigger writes a pending execution, the scheduler assigns it
/// as a replica, the agent runs it once and records the outcome and its output.
/// </summary>
public sealed class JobOperations(StateRepository repository, EventLog events, TimeProvider time)
{
    /// <summary>How many finished runs are kept per service.</summary>
    public const int KeepFinished = 20;

    /// <summary>Output kept per run, as upstream.</summary>
    public const int MaxLogBytes = 1024 * 1024;

    public async Task<JobExecution> TriggerAsync(string deployment, string service, string trigger, CancellationToken ct = default)
    {
        var record = (await repository.GetAsync<DeploymentRecord>(StateKeys.Deployment(deployment), ct))?.Value
            ?? throw new NotFoundException($"no deployment '{deployment}'");
        var spec = DeploymentSpecs.Parse(record);
        if (!spec.Services.TryGetValue(service, out var svc))
        {
            throw new NotFoundException($"deployment '{deployment}' has no service '{service}'");
        }

        if (svc.Rtype == ResourceType.Service)
        {
            throw new InvalidOperationException($"service '{service}' is a long-running service, not a job; use `zlayer scale` or `zlayer restart`");
        }

        for (var attempt = 0; attempt < 10; attempt++)
        {
            var runs = await ListAsync(deployment, service, ct);
            var number = runs.Count == 0 ? 1 : runs.Max(r => r.Number) + 1;
            var now = time.GetUtcNow();

            // A cron run due while the previous one still runs is recorded (so `job ls` shows the
            // gap) but never started beside it.
            var running = trigger == "cron" ? runs.LastOrDefault(r => !r.IsFinished) : null;
            var execution = running is null
                ? new JobExecution(number, deployment, service, trigger, "pending", null, now, null, null)
                : new JobExecution(number, deployment, service, trigger, "skipped", null, now, now, $"run {running.Number} was still running");
            var key = StateKeys.Job(deployment, service, number);
            var txn = await repository.Store.TxnAsync([new TxnCompare(key, 0)], [new TxnOp.Put(key, StateJson.Serialize(execution))], cancellationToken: ct);
            if (txn.Succeeded)
            {
                if (running is null)
                {
                    await events.AppendAsync("job.triggered", $"run {number} triggered ({trigger})", deployment, service, StateKeys.ReplicaId(deployment, service, number), ct);
                }
                else
                {
                    await events.AppendAsync("job.skipped", $"cron run {number} skipped: run {running.Number} is still running", deployment, service, ct: ct);
                }

                await TrimAsync([.. runs, execution], ct);
                return execution;
            }
        }

        throw new ConcurrencyException($"could not number a new run of '{service}': too many concurrent triggers");
    }

    public async Task<List<JobExecution>> ListAsync(string deployment, string service, CancellationToken ct = default) =>
        await repository.ListAsync<JobExecution>(StateKeys.JobsOf(deployment, service), ct);

    public async Task<List<JobExecution>> ListAllAsync(CancellationToken ct = default) =>
        await repository.ListAsync<JobExecution>(StateKeys.Jobs, ct);

    public async Task<string?> LogsAsync(string deployment, string service, int number, CancellationToken ct = default)
    {
        var kv = await repository.Store.GetAsync(StateKeys.JobLog(deployment, service, number), ct);
        return kv is null ? null : System.Text.Encoding.UTF8.GetString(kv.Value);
    }

    /// <summary>Records how a run ended, with the tail of its output.</summary>
    public async Task FinishAsync(JobExecution execution, int? exitCode, string? message, string output, CancellationToken ct = default)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(output);
        if (bytes.Length > MaxLogBytes)
        {
            bytes = bytes[^MaxLogBytes..];
        }

        await repository.Store.PutAsync(StateKeys.JobLog(execution.Deployment, execution.Service, execution.Number), bytes, 0, ct);
        var state = exitCode == 0 ? "succeeded" : "failed";
        var finished = execution with { State = state, ExitCode = exitCode, FinishedAt = time.GetUtcNow(), Message = message };
        await repository.PutAsync(StateKeys.Job(execution.Deployment, execution.Service, execution.Number), finished, ct);
        await events.AppendAsync($"job.{state}", $"run {execution.Number} {state}{(exitCode is { } c ? $" with exit code {c}" : "")}{(message is null ? "" : $": {message}")}",
            execution.Deployment, execution.Service, StateKeys.ReplicaId(execution.Deployment, execution.Service, execution.Number), ct);
    }

    public Task MarkRunningAsync(JobExecution execution, CancellationToken ct = default) =>
        repository.PutAsync(StateKeys.Job(execution.Deployment, execution.Service, execution.Number), execution with { State = "running" }, ct);

    /// <summary>
    /// Keeps the latest <see cref="KeepFinished"/> finished runs, and as many skipped ones apart,
    /// so that a slow cron job's skips never push its real runs out.
    /// </summary>
    private async Task TrimAsync(List<JobExecution> runs, CancellationToken ct)
    {
        var finished = runs.Where(r => r.IsFinished);
        var old = finished.Where(r => r.State != "skipped").OrderByDescending(r => r.Number).Skip(KeepFinished)
            .Concat(finished.Where(r => r.State == "skipped").OrderByDescending(r => r.Number).Skip(KeepFinished));
        foreach (var run in old)
        {
            await repository.Store.DeleteAsync(StateKeys.Job(run.Deployment, run.Service, run.Number), ct);
            await repository.Store.DeleteAsync(StateKeys.JobLog(run.Deployment, run.Service, run.Number), ct);
        }
    }
}
