using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZLayer.Proxy.Balancing;
using ZLayer.Proxy.Http;
using ZLayer.Proxy.Routing;
using ZLayer.Proxy.Tracing;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// Forwards one fast-path request: picks a backend by the route's policy, sends the prepared head
/// (and body) on a pooled keep-alive connection, and relays the response as the backend framed
/// it. Connect failures mark the backend and move an idempotent request to another one; a pooled
/// connection the backend had closed is replaced before anything of the answer arrived. No backend
/// is 503, none reachable or a broken answer 502, no response head in time 504; once the head went
/// out, a failure can only cut the client connection.
/// </summary>
internal sealed class Http1Exchange(Http1FastPath shared, PipeReader input, PipeWriter output, CancellationTokenSource timer, HeadBuffer head)
{
    private NodeProxyOptions Options => shared.Options;

    /// <summary>Forwards the request; false when the client connection must close afterwards.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ForwardAsync(HttpRoute route, RequestHead request, bool bodyInHead, Activity? span)
    {
        var started = Stopwatch.GetTimestamp();
        var replayable = request.ContentLength == 0 || bodyInHead;
        var bodyPending = !replayable;
        List<BackendState>? tried = null;
        var status = 503;
        var message = "no backend available";
        var keepAlive = false;
        long received = 0, sent = 0;
        try
        {
            for (var attempt = 0; attempt < Math.Max(1, Options.MaxAttempts); attempt++)
            {
                var backend = route.Pool.Pick(tried);
                if (backend is null)
                {
                    break;
                }

                backend.Start();
                BackendConnection? connection = null;
                var headSent = false;
                try
                {
                    connection = await RentAsync(backend.Address, checkIdle: !replayable);
                    while (true)
                    {
                        try
                        {
                            timer.CancelAfter(Options.ResponseHeadersTimeout);
                            await connection.Socket.SendAsync(head.Written, SocketFlags.None, timer.Token);
                            if (bodyPending)
                            {
                                received = await SendBodyAsync(connection, request.ContentLength);
                                bodyPending = false;
                            }
                            else if (bodyInHead)
                            {
                                received = request.ContentLength;
                            }

                            var framing = await RelayHeadAsync(connection, request);
                            headSent = true;
                            status = framing.Status;
                            backend.RecordSuccess();
                            sent = await RelayBodyAsync(connection, framing);
                            keepAlive = framing.Body != BodyKind.UntilClose;
                            if (!framing.BackendCloses && framing.Body != BodyKind.UntilClose && connection.Start == connection.End)
                            {
                                shared.Backends.Return(backend.Address, connection);
                                connection = null;
                            }

                            return keepAlive;
                        }
                        catch (Exception e) when (connection!.Reused && replayable && connection.End == 0 && IsConnectionLoss(e))
                        {
                            // A pooled connection the backend closed while idle: the request never reached it.
                            connection.Dispose();
                            connection = await RentAsync(backend.Address, checkIdle: false);
                        }
                    }
                }
                catch (BackendConnectException e)
                {
                    backend.RecordConnectFailure(Options.PassiveHealth);
                    (tried ??= []).Add(backend);
                    (status, message) = e.TimedOut ? (504, "backend connect timed out") : (502, "backend refused the connection");
                    if (!request.Idempotent)
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (timer.IsCancellationRequested && !headSent)
                {
                    (status, message) = (504, "backend did not answer in time");
                    break;
                }
                catch (Exception e) when (!headSent && (e is InvalidDataException || IsConnectionLoss(e)))
                {
                    (status, message) = (502, "backend failed");
                    break;
                }
                finally
                {
                    connection?.Dispose();
                    backend.Finish();
                }
            }

            // The proxy answers itself; a body it did not pass on is still unread, so the connection cannot go on.
            keepAlive = !bodyPending && !timer.IsCancellationRequested;
            LocalResponse.Write(output, status, message, close: !keepAlive);
            await output.FlushAsync();
            return keepAlive;
        }
        finally
        {
            ProxyTracing.Complete(span, status);
            shared.Metrics.RequestCompleted(route.Input, status, Stopwatch.GetElapsedTime(started).TotalSeconds);
            shared.Metrics.Bytes(route.Input, received, sent);
        }
    }

    private static bool IsConnectionLoss(Exception e) => e is IOException or SocketException;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<BackendConnection> RentAsync(BackendAddress backend, bool checkIdle)
    {
        while (true)
        {
            var connection = await shared.Backends.RentAsync(backend, CancellationToken.None);
            // A streamed body cannot be sent twice, so a pooled connection must look alive before it is used.
            if (!checkIdle || !connection.Reused || connection.LooksOpen())
            {
                return connection;
            }

            connection.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> SendBodyAsync(BackendConnection connection, long length)
    {
        var remaining = length;
        while (remaining > 0)
        {
            timer.CancelAfter(Options.IdleTimeout);
            var result = await input.ReadAsync(timer.Token);
            var part = result.Buffer.Slice(0, Math.Min(remaining, result.Buffer.Length));
            foreach (var segment in part)
            {
                await connection.Socket.SendAsync(segment, SocketFlags.None, timer.Token);
            }

            remaining -= part.Length;
            input.AdvanceTo(part.End);
            if (remaining > 0 && result.IsCompleted)
            {
                throw new OperationCanceledException("the client closed before sending its whole body");
            }
        }

        timer.CancelAfter(Options.ResponseHeadersTimeout);
        return length;
    }

    /// <summary>Reads the response head, passing any 1xx interim answers on, and writes the final head to the client.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ResponseFraming> RelayHeadAsync(BackendConnection connection, RequestHead request)
    {
        while (true)
        {
            int end;
            while ((end = connection.Received.IndexOf(HttpSyntax.HeadEnd)) < 0)
            {
                if (!await connection.ReceiveAsync(timer.Token))
                {
                    throw connection.End == 0
                        ? new IOException("the backend closed the connection without answering")
                        : new InvalidDataException("response head cut short or too large");
                }
            }

            var framing = ResponseHeadWriter.Write(connection.Received[..(end + 2)], request.IsHead, request.ClientCloses, output);
            connection.Start += end + 4;
            if (!framing.Informational)
            {
                return framing;
            }

            await output.FlushAsync(timer.Token);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> RelayBodyAsync(BackendConnection connection, ResponseFraming framing)
    {
        long sent = 0;
        var remaining = framing.Length;
        var chunks = default(ChunkedBodyScanner);
        while (true)
        {
            var available = connection.Received;
            var take = framing.Body switch
            {
                BodyKind.None => 0,
                BodyKind.Length => (int)Math.Min(remaining, available.Length),
                BodyKind.Chunked => chunks.Scan(available),
                _ => available.Length,
            };
            if (take > 0)
            {
                output.Write(available[..take]);
                connection.Start += take;
                sent += take;
                remaining -= take;
            }

            var done = framing.Body switch
            {
                BodyKind.None => true,
                BodyKind.Length => remaining == 0,
                BodyKind.Chunked => chunks.Done,
                _ => false,
            };
            timer.CancelAfter(Options.IdleTimeout);
            var flushed = await output.FlushAsync(timer.Token);
            if (flushed.IsCompleted)
            {
                throw new IOException("the client closed during the response");
            }

            if (done)
            {
                return sent;
            }

            if (!await connection.ReceiveAsync(timer.Token))
            {
                if (framing.Body == BodyKind.UntilClose)
                {
                    return sent;
                }

                throw new InvalidDataException("the backend closed in the middle of the body");
            }
        }
    }
}
