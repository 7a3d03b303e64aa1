using System.CommandLine;
using ZLayer.Cli.Client;
using ZLayer.Cli.Daemon;
using ZLayer.Cli.Terminal;
using ZLayer.Control;
using ZLayer.Server;
using ZLayer.Spec.Values;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer up</c>: deploy and watch, as <c>docker compose up</c>. Starts a daemon when none
/// answers (in this process, or in the background with <c>-d</c>), deploys, shows per-service
/// progress until healthy, then streams the replicas' output; Ctrl-C takes the deployment down.
/// </summary>
public static class UpCommand
{
    /// <summary>How long Ctrl-C waits for the deployment's replicas to stop before giving up on them.</summary>
    public static readonly TimeSpan TeardownTimeout = TimeSpan.FromMinutes(2);

    public static Command Create()
    {
        var input = new SpecInput();
        var detach = new Option<bool>("--detach", "-d") { Description = "Deploy and return; a daemon started for it keeps running in the background" };
        var wait = new Option<bool>("--wait") { Description = "With -d: return only once every service is healthy" };
        var timeout = new Option<string>("--timeout")
        {
            Description = "How long to wait for health before giving up (--wait) or moving on to logs (default 5m)",
            DefaultValueFactory = _ => "5m",
        };
        var command = new Command("up", "Deploy a spec, starting a daemon if none runs; show progress and logs, Ctrl-C takes it down");
        input.AddTo(command);
        command.Options.Add(detach);
        command.Options.Add(wait);
        command.Options.Add(timeout);
        command.SetAction(async (parse, ct) =>
        {
            if (!Duration.TryParse(parse.GetValue(timeout)!, out var deadline, out var timeoutError))
            {
                return Usage.Fail($"--timeout: {timeoutError}");
            }

            if (parse.GetValue(wait) && !parse.GetValue(detach))
            {
                return Usage.Fail("--wait only applies with -d (without it, up waits and then shows logs)");
            }

            if (!input.TryResolveFiles(parse, out var files, out var error))
            {
                return Usage.Fail(error);
            }

            var prepared = SpecSubmission.Prepare(files, input.Options(parse), resolveEnvironmentHere: true);
            if (prepared is null)
            {
                return ExitCodes.Failure;
            }

            if (!DaemonAddress.TryParse(ZLayerPaths.Current.Host, out var address, out var addressError))
            {
                return Usage.Fail(addressError);
            }

            var run = new UpRun(address, prepared, parse.GetValue(detach), parse.GetValue(wait), deadline.Value);
            return await run.ExecuteAsync(ct);
        });
        return command;
    }

    private sealed class UpRun(DaemonAddress address, PreparedSpec prepared, bool detach, bool wait, TimeSpan timeout)
    {
        private readonly ConsoleStyle _style = ConsoleStyle.ForStderr();

        public async Task<int> ExecuteAsync(CancellationToken ct)
        {
            using var client = new ApiClient(address);
            InProcessDaemon? hosted = null;
            try
            {
                if (!await AnswersAsync(client, ct))
                {
                    if (address.SocketPath is not { } socket)
                    {
                        Console.Error.WriteLine($"zlayer: no daemon answers at {address.Display}; `up` starts one only on a Unix socket (unset {ZLayerPaths.HostVariable}, or run `zlayer serve` there)");
                        return ExitCodes.Failure;
                    }

                    var dataDirectory = ZLayerPaths.Current.DataDirectory;
                    if (detach)
                    {
                        if (await BackgroundDaemon.StartAsync(socket, dataDirectory, ct) is { } failure)
                        {
                            Console.Error.WriteLine($"zlayer: {failure}");
                            return ExitCodes.Failure;
                        }

                        Console.Error.WriteLine(_style.Dim($"started a daemon in the background on {socket} (log: {BackgroundDaemon.LogPath(dataDirectory)})"));
                    }
                    else
                    {
                        hosted = await InProcessDaemon.StartAsync(new DaemonOptions(dataDirectory, socket, null, "auto", StopOnExit: true));
                        if (hosted is null)
                        {
                            return ExitCodes.Failure;
                        }

                        Console.Error.WriteLine(_style.Dim($"started a daemon in this process (log: {hosted.LogPath}); Ctrl-C stops it"));
                    }
                }

                var response = await client.PostAsync<DeployResponse>(ApiPaths.Deployments, new DeployRequest(prepared.Text, prepared.Source, $"{Environment.UserName}@{Environment.MachineName}"), ct);
                DeployCommand.PrintChanges(response);
                if (detach)
                {
                    return wait ? await WaitDetachedAsync(client, response.Deployment, ct) : ExitCodes.Success;
                }

                return await AttachAsync(client, response.Deployment, ct);
            }
            catch (DaemonUnreachableException ex)
            {
                Console.Error.WriteLine($"zlayer: {ex.Message}");
                return ExitCodes.Failure;
            }
            catch (ApiProblemException ex)
            {
                ClientCommand.Report(ex.Problem);
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("zlayer: interrupted");
                return ExitCodes.Failure;
            }
            finally
            {
                if (hosted is not null)
                {
                    await hosted.DisposeAsync();
                }
            }
        }

        private static async Task<bool> AnswersAsync(ApiClient client, CancellationToken ct)
        {
            try
            {
                await client.GetAsync<System.Text.Json.Nodes.JsonObject>(ApiPaths.Live, ct);
                return true;
            }
            catch (DaemonUnreachableException)
            {
                return false;
            }
        }

        private async Task<int> WaitDetachedAsync(ApiClient client, string deployment, CancellationToken ct)
        {
            var outcome = await new DeploymentProgress(client, deployment).WaitAsync(timeout, ct);
            if (outcome == WaitOutcome.Cancelled)
            {
                Console.Error.WriteLine($"zlayer: stopped waiting; deployment '{deployment}' goes on in the background");
            }

            return outcome == WaitOutcome.Healthy ? ExitCodes.Success : ExitCodes.Failure;
        }

        /// <summary>Progress, then logs, until Ctrl-C; then the deployment is taken down and its replicas waited for.</summary>
        private async Task<int> AttachAsync(ApiClient client, string deployment, CancellationToken ct)
        {
            var outcome = await new DeploymentProgress(client, deployment).WaitAsync(timeout, ct);
            if (outcome != WaitOutcome.Cancelled)
            {
                Console.Error.WriteLine(_style.Dim($"attached to '{deployment}'; press Ctrl-C to take it down"));
                await DeploymentLogs.FollowAsync(client, deployment, ct);

                // Streams also end when replicas are removed from elsewhere; stay attached until Ctrl-C.
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return await TearDownAsync(client, deployment);
        }

        private async Task<int> TearDownAsync(ApiClient client, string deployment)
        {
            // The command's token is cancelled by now; teardown gets its own deadline. A second
            // Ctrl-C is left to the default handler and ends the process at once.
            using var teardown = new CancellationTokenSource(TeardownTimeout);
            Console.Error.WriteLine($"stopping deployment '{deployment}' (Ctrl-C again to force)");
            try
            {
                await client.DeleteAsync(ApiPaths.Deployment(deployment), teardown.Token);
                while (true)
                {
                    var left = await client.GetAsync<List<ReplicaResource>>($"{ApiPaths.Replicas}?deployment={Uri.EscapeDataString(deployment)}", teardown.Token);
                    if (left.Count == 0)
                    {
                        break;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(200), teardown.Token);
                }

                Console.Error.WriteLine($"deployment '{deployment}' stopped and removed");
                return ExitCodes.Success;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"zlayer: {_style.Red("error")}: replicas of '{deployment}' still running after {new Duration(TeardownTimeout)}; see `zlayer ps -a`");
                return ExitCodes.Failure;
            }
        }
    }
}
