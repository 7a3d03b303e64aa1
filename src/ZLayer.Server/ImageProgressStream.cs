using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZLayer.Control.State;
using ZLayer.Images.Pull;

namespace ZLayer.Server;

/// <summary>
/// Answers a pull, push or import as newline-delimited JSON (<see cref="ImageStreamLine"/> per
/// line) while it runs. The status is sent before the work begins, so its outcome or failure is
/// the last line rather than the status code. Byte counts of one blob are thinned to a few a
/// second: a fast registry reports every read, and the client only redraws a bar.
/// </summary>
internal static class ImageProgressStream
{
    public static readonly TimeSpan ByteCountInterval = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(HttpContext context, Func<IProgress<PullProgress>, CancellationToken, Task<ImageStreamLine>> operation)
    {
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var response = context.Response;
        response.ContentType = LogRoutes.ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var channel = Channel.CreateUnbounded<ImageStreamLine>(new UnboundedChannelOptions { SingleReader = true });
        var work = Task.Run(
            async () =>
            {
                try
                {
                    channel.Writer.TryWrite(await operation(new ThinnedProgress(channel.Writer), ct));
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // The client went away or the daemon stops: nobody reads an outcome.
                }
                catch (Exception ex)
                {
                    channel.Writer.TryWrite(new ImageStreamLine(Error: Problem(context, ex)));
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            },
            CancellationToken.None);

        try
        {
            await response.Body.FlushAsync(ct);
            while (await channel.Reader.WaitToReadAsync(ct))
            {
                while (channel.Reader.TryRead(out var line))
                {
                    await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(line, StateJson.Options), ct);
                    await response.Body.WriteAsync("\n"u8.ToArray(), ct);
                }

                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // As above; the operation sees the same token and ends too.
        }

        await work;
    }

    private static ApiProblem Problem(HttpContext context, Exception ex)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ZLayer.Server.Api");
        var problem = ProblemResults.ForException(ex);
        if (problem is { Status: >= 500 })
        {
            logger.LogWarning("{Method} {Path}: {Status} {Detail}", context.Request.Method, context.Request.Path, problem.Status, problem.Detail);
        }
        else if (problem is null)
        {
            logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            problem = ex is IOException && ProblemResults.IsDiskFull(ex.Message)
                ? new ApiProblem("urn:zlayer:problem:disk-full", "The node's disk is full", StatusCodes.Status507InsufficientStorage, $"{ex.Message}; free disk space on the daemon's host and retry")
                : new ApiProblem("urn:zlayer:problem:internal", "Internal error", StatusCodes.Status500InternalServerError, "the daemon failed to handle this request; its log has the details");
        }

        return problem with { Instance = problem.Instance ?? context.Request.Path.Value };
    }

    /// <summary>Passes every step on, except byte counts of a blob that follow the previous one too closely.</summary>
    private sealed class ThinnedProgress(ChannelWriter<ImageStreamLine> writer) : IProgress<PullProgress>
    {
        private readonly Dictionary<string, long> _lastSent = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public void Report(PullProgress value)
        {
            if (value is { Phase: PullPhase.Downloading, Blob: { } blob } && value.Current < value.Total)
            {
                var key = blob.ToString();
                var now = Environment.TickCount64;
                lock (_lock)
                {
                    if (_lastSent.TryGetValue(key, out var last) && value.Current > 0 && now - last < ByteCountInterval.TotalMilliseconds)
                    {
                        return;
                    }

                    _lastSent[key] = now;
                }
            }

            writer.TryWrite(ImageStreamLine.From(value));
        }
    }
}
