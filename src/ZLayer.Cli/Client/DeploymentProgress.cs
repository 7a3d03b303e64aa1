using ZLayer.Cli.Commands;
using ZLayer.Cli.Terminal;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Server;
using ZLayer.Spec.Values;

namespace ZLayer.Cli.Client;

public enum WaitOutcome
{
    Healthy,
    TimedOut,
    Cancelled,
}

/// <summary>
/// Waits until every service of a deployment has as many healthy, up-to-date replicas as it
/// wants, showing per-service progress: redrawn in place on a terminal, one line per change
/// otherwise (so a CI log stays short).
/// </summary>
public sealed class DeploymentProgress(ApiClient client, string deployment)
{
    private readonly ConsoleStyle _style = ConsoleStyle.ForStderr();
    private readonly bool _live = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
    private int _drawnLines;
    private string? _lastSummary;

    public async Task<WaitOutcome> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        List<ServiceProgress> progress = [];
        while (true)
        {
            try
            {
                progress = await ReadAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return WaitOutcome.Cancelled;
            }

            var done = progress.All(p => p.Ready >= p.Desired);
            Draw(progress);
            if (done)
            {
                var summary = string.Join(", ", progress.Select(p => $"{p.Service} {p.Ready}/{p.Desired}"));
                Console.Out.WriteLine($"deployment '{deployment}' is healthy" + (summary.Length > 0 ? $": {summary} healthy" : ""));
                return WaitOutcome.Healthy;
            }

            if (DateTimeOffset.UtcNow - started >= timeout)
            {
                var missing = progress.Where(p => p.Ready < p.Desired).Select(p => $"{p.Service} has {p.Ready} of {p.Desired} healthy");
                Console.Error.WriteLine($"zlayer: {_style.Red("error")}: timed out after {new Duration(timeout)} waiting for deployment '{deployment}': {string.Join("; ", missing)} (see `zlayer ps {deployment}` and `zlayer events --since {new Duration(timeout)}`)");
                return WaitOutcome.TimedOut;
            }

            try
            {
                await Task.Delay(_live ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return WaitOutcome.Cancelled;
            }
        }
    }

    private async Task<List<ServiceProgress>> ReadAsync(CancellationToken ct)
    {
        var view = await client.GetAsync<DeploymentView>(ApiPaths.Deployment(deployment), ct);
        var replicas = await client.GetAsync<List<ReplicaResource>>($"{ApiPaths.Replicas}?deployment={Uri.EscapeDataString(deployment)}", ct);
        return [.. view.Services
            .Where(s => s.Desired > 0)
            .Select(s =>
            {
                var mine = replicas.Where(r => r.Service == s.Name).ToList();
                var ready = mine.Count(r => r.UpToDate && r.State == ReplicaState.Running && r.Health == HealthState.Healthy);
                var states = mine.Where(r => !(r.UpToDate && r.State == ReplicaState.Running && r.Health == HealthState.Healthy))
                    .GroupBy(r => r.State == ReplicaState.Running ? "unhealthy" : PsCommand.Kebab(r.State))
                    .Select(g => $"{g.Count()} {g.Key}");
                var problem = mine.Where(r => r.State is ReplicaState.Failed or ReplicaState.CrashLoop or ReplicaState.Exited && r.Message is not null)
                    .Select(r => r.Message).FirstOrDefault();
                return new ServiceProgress(s.Name, ready, s.Desired, string.Join(", ", states), problem);
            })];
    }

    private void Draw(List<ServiceProgress> progress)
    {
        if (!_live)
        {
            var summary = string.Join(", ", progress.Select(p => $"{p.Service} {p.Ready}/{p.Desired}"));
            if (summary != _lastSummary)
            {
                Console.Error.WriteLine($"waiting for {deployment}: {summary} healthy");
                _lastSummary = summary;
            }

            return;
        }

        // Move up over the previous frame and overwrite it, clearing each line's remainder.
        var frame = new System.Text.StringBuilder();
        if (_drawnLines > 0)
        {
            frame.Append($"\u001b[{_drawnLines}A");
        }

        var width = Math.Max(8, progress.Count == 0 ? 8 : progress.Max(p => p.Service.Length));
        foreach (var p in progress)
        {
            const int BarWidth = 20;
            var filled = p.Desired == 0 ? BarWidth : Math.Min(BarWidth, p.Ready * BarWidth / p.Desired);
            var bar = _style.Green(new string('█', filled)) + _style.Dim(new string('░', BarWidth - filled));
            var mark = p.Ready >= p.Desired ? _style.Green("✔") : p.Problem is null ? _style.Yellow("…") : _style.Red("✖");
            var detail = p.Ready >= p.Desired ? "healthy" : p.Problem ?? p.States;
            frame.Append($"\r{mark} {p.Service.PadRight(width)} {bar} {p.Ready}/{p.Desired}  {_style.Dim(Truncate(detail, 60))}\u001b[K\n");
        }

        Console.Error.Write(frame.ToString());
        _drawnLines = progress.Count;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private sealed record ServiceProgress(string Service, int Ready, int Desired, string States, string? Problem);
}
