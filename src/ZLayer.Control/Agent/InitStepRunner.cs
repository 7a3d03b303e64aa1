using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Agent;

/// <summary>
/// Runs a service's init steps on the node before a replica starts (SPEC.md §3.11), honouring
/// each step's timeout, retry (with backoff, which upstream ignores) and on_failure, and the
/// service's errors.on_init_failure policy around the whole sequence.
/// </summary>
public sealed class InitStepRunner(TimeProvider time, Action<string> report)
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Runs every step; throws <see cref="InitFailedException"/> when the policy gives up.</summary>
    public async Task RunAsync(ServiceSpec service, CancellationToken ct)
    {
        if (service.Init is not { Steps.Count: > 0 } init)
        {
            return;
        }

        var policy = service.Errors?.OnInitFailure?.Action ?? InitFailureAction.Fail;
        var (attempts, delay) = policy switch
        {
            InitFailureAction.Restart => (4, TimeSpan.FromMilliseconds(100)),
            InitFailureAction.Backoff => (4, TimeSpan.FromSeconds(1)),
            _ => (1, TimeSpan.Zero),
        };

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var step in init.Steps)
                {
                    await RunStepAsync(step, ct);
                }

                return;
            }
            catch (InitFailedException ex) when (attempt < attempts)
            {
                var wait = policy == InitFailureAction.Backoff ? TimeSpan.FromTicks(Math.Min(delay.Ticks << (attempt - 1), TimeSpan.FromSeconds(60).Ticks)) : delay;
                report($"init failed ({ex.Message}); attempt {attempt + 1} of {attempts} in {wait.TotalSeconds:0.#}s ({policy.ToString().ToLowerInvariant()} policy)");
                await Task.Delay(wait, time, ct);
            }
        }
    }

    private async Task RunStepAsync(InitStepSpec step, CancellationToken ct)
    {
        var tries = 1 + (int)(step.Retry ?? 0);
        for (var attempt = 1; ; attempt++)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var timeout = (step.Timeout ?? InitStepSpec.DefaultTimeout).Value;
            deadline.CancelAfter(timeout);
            string? failure;
            try
            {
                failure = await ExecuteAsync(step, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = $"timed out after {timeout.TotalSeconds:0.#}s";
            }

            if (failure is null)
            {
                report($"init step '{step.Id}' ({step.Uses}) succeeded");
                return;
            }

            if (attempt < tries)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempt - 1), 30));
                report($"init step '{step.Id}' failed: {failure}; retry {attempt} of {tries - 1} in {wait.TotalSeconds:0}s");
                await Task.Delay(wait, time, ct);
                continue;
            }

            switch (step.OnFailure)
            {
                case TimeoutAction.Fail:
                    throw new InitFailedException($"init step '{step.Id}' ({step.Uses}) failed: {failure}");
                default:
                    report($"init step '{step.Id}' failed: {failure}; continuing (on_failure: {step.OnFailure.ToString().ToLowerInvariant()})");
                    return;
            }
        }
    }

    /// <summary>Runs one attempt of a step; returns null on success or why it failed.</summary>
    private async Task<string?> ExecuteAsync(InitStepSpec step, CancellationToken ct)
    {
        var with = step.With;
        switch (step.Uses)
        {
            case InitStepSpec.WaitTcp:
                {
                    var host = Str(with, "host")!;
                    var port = (int)Num(with, "port", 0);
                    return await PollAsync(TimeSpan.FromSeconds(Num(with, "timeout", 30)), async token =>
                    {
                        using var client = new TcpClient();
                        try
                        {
                            await client.ConnectAsync(host, port, token);
                            return null;
                        }
                        catch (SocketException ex)
                        {
                            return $"{host}:{port}: {ex.Message}";
                        }
                    }, ct);
                }

            case InitStepSpec.WaitHttp:
                {
                    var url = Str(with, "url")!;
                    var expect = with.ContainsKey("expect_status") ? (int?)Num(with, "expect_status", 200) : null;
                    return await PollAsync(TimeSpan.FromSeconds(Num(with, "timeout", 30)), async token =>
                    {
                        try
                        {
                            using var response = await Http.GetAsync(new Uri(url), token);
                            var status = (int)response.StatusCode;
                            var ok = expect is { } e ? status == e : status is >= 200 and < 300;
                            return ok ? null : $"GET {url} -> {status}";
                        }
                        catch (HttpRequestException ex)
                        {
                            return $"GET {url}: {ex.Message}";
                        }
                    }, ct);
                }

            case InitStepSpec.Run:
                return await RunCommandAsync(Str(with, "command")!, TimeSpan.FromSeconds(Num(with, "timeout", 300)), ct);

            default:
                return $"init action '{step.Uses}' is not supported by this node";
        }
    }

    /// <summary>Tries every second until success or the action's own timeout (seconds in `with.timeout`).</summary>
    private async Task<string?> PollAsync(TimeSpan timeout, Func<CancellationToken, Task<string?>> attempt, CancellationToken ct)
    {
        var until = time.GetUtcNow() + timeout;
        string? last;
        while (true)
        {
            last = await attempt(ct);
            if (last is null || time.GetUtcNow() >= until)
            {
                return last is null ? null : $"{last} (gave up after {timeout.TotalSeconds:0}s)";
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
        }
    }

    private static async Task<string?> RunCommandAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InitFailedException("could not start /bin/sh");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        _ = process.StandardOutput.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var err = (await stderr).Trim();
        return process.ExitCode == 0 ? null : $"`{command}` exited {process.ExitCode}{(err.Length > 0 ? ": " + err : "")}";
    }

    private static string? Str(Dictionary<string, JsonNode?> with, string name) =>
        with.TryGetValue(name, out var v) && v is not null ? (v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()) : null;

    private static double Num(Dictionary<string, JsonNode?> with, string name, double fallback) =>
        with.TryGetValue(name, out var v) && v is not null && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : fallback;
}

public sealed class InitFailedException(string message) : Exception(message);
