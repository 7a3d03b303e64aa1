using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using ZLayer.Proxy.Hosting;
using ZLayer.Proxy.Routing;
using ZLayer.Proxy.Tracing;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// One client connection on the fast path: reads request heads (pipelined ones too), answers
/// what the proxy answers itself, forwards the rest one at a time through an
/// <see cref="Http1Exchange"/>, and gives the connection up to Kestrel, unread, at the first
/// request it does not take.
/// </summary>
internal sealed class Http1Connection(ConnectionContext connection, Http1FastPath shared)
{
    private const int InlineBodyLimit = 16 * 1024;

    private readonly RequestHead request = new();
    private readonly ClientEndpoint client = new(connection.RemoteEndPoint, connection.LocalEndPoint);
    private byte[]? scratch;
    private volatile bool closing;
    private volatile bool idle;

    private enum Step
    {
        NeedMore,
        Fallback,
        Smuggling,
        NotFound,
        Forbidden,
        Forward,
    }

    /// <summary>Serves the connection; true when Kestrel should take it over from the unread request.</summary>
    public async Task<bool> RunAsync()
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        using var timer = new CancellationTokenSource();
        using var head = new HeadBuffer();
        var exchange = new Http1Exchange(shared, input, output, timer, head);
        var lifetime = connection.Features.Get<IConnectionLifetimeNotificationFeature>();
        using var shutdown = lifetime?.ConnectionClosedRequested.Register(() =>
        {
            closing = true;
            if (idle)
            {
                input.CancelPendingRead();
            }
        });
        try
        {
            var headStarted = false;
            while (!closing)
            {
                if (!headStarted)
                {
                    timer.CancelAfter(shared.Options.IdleTimeout);
                }

                idle = true;
                var result = await input.ReadAsync(timer.Token);
                idle = false;
                if (result.IsCanceled)
                {
                    return false;
                }

                var buffer = result.Buffer;
                var step = Prepare(buffer, head, out var route, out var consumed, out var bodyInHead, out var span);
                switch (step)
                {
                    case Step.NeedMore:
                        if (result.IsCompleted)
                        {
                            return false;
                        }

                        if (!headStarted && !buffer.IsEmpty)
                        {
                            // From the first byte, the whole head has a deadline: trickling it in cannot hold the connection.
                            headStarted = true;
                            timer.CancelAfter(HttpListenerHost.RequestHeadersTimeout);
                        }

                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    case Step.Fallback:
                        input.AdvanceTo(buffer.Start);
                        timer.CancelAfter(Timeout.InfiniteTimeSpan);
                        return true;
                    case Step.Smuggling:
                        input.AdvanceTo(buffer.End);
                        LocalResponse.Write(output, 400, "Content-Length and Transfer-Encoding together", close: true);
                        await output.FlushAsync();
                        return false;
                }

                headStarted = false;
                input.AdvanceTo(consumed);
                // A body the proxy does not forward cannot be skipped safely without reading it: close instead.
                var close = request.ClientCloses || (request.ContentLength > 0 && !bodyInHead && step != Step.Forward);
                if (step == Step.Forward)
                {
                    // Ended here, in the flow that started it, so the connection's next request does not inherit it as parent.
                    using (span)
                    {
                        close = !await exchange.ForwardAsync(route!, request, bodyInHead, span) || close;
                    }
                }
                else
                {
                    LocalResponse.Write(output, step == Step.NotFound ? 404 : 403, step == Step.NotFound ? "no route for this host and path" : "this endpoint is internal", close);
                    await output.FlushAsync();
                }

                if (close)
                {
                    return false;
                }
            }

            return false;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or InvalidDataException)
        {
            // The client left, went silent, or the exchange broke mid-response: the connection ends.
            connection.Abort();
            return false;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>Parses the next head, routes it and writes the backend head; nothing here awaits, so spans stay valid.</summary>
    private Step Prepare(ReadOnlySequence<byte> buffer, HeadBuffer head, out HttpRoute? route, out SequencePosition consumed, out bool bodyInHead, out Activity? span)
    {
        route = null;
        span = null;
        consumed = buffer.Start;
        bodyInHead = false;
        var limit = shared.Options.MaxRequestHeadersSize;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> raw, HttpSyntax.HeadEnd, advancePastDelimiter: true))
        {
            // Too large or framed with bare line feeds: Kestrel answers it (431, 400) precisely.
            var tooLarge = buffer.Length > limit;
            return tooLarge || HttpSyntax.HasBareLineFeed(Contiguous(buffer)) ? Step.Fallback : Step.NeedMore;
        }

        if (raw.Length + 4 > limit)
        {
            return Step.Fallback;
        }

        consumed = reader.Position;
        var text = Contiguous(buffer.Slice(0, raw.Length + 2));
        var verdict = RequestHeadParser.Parse(text, request);
        if (verdict != HeadVerdict.Forward)
        {
            return verdict == HeadVerdict.Smuggling ? Step.Smuggling : Step.Fallback;
        }

        route = shared.Plan().Http?.Match(request.HostName, request.Path);
        if (route is null)
        {
            return Step.NotFound;
        }

        if (route.Expose == ExposeMode.Internal && !shared.Exposure.IsInternal(client.LocalAddress))
        {
            return Step.Forbidden;
        }

        if (ProxyTracing.Enabled)
        {
            span = StartSpan(text, route);
        }

        BackendHeadWriter.Write(text, request, route, client, head, span);
        if (request.ContentLength is > 0 and <= InlineBodyLimit)
        {
            // A small body that already arrived leaves in the same send as the head.
            var rest = buffer.Slice(consumed);
            if (rest.Length >= request.ContentLength)
            {
                var body = rest.Slice(0, request.ContentLength);
                head.Append(body);
                consumed = body.End;
                bodyInHead = true;
            }
        }

        return Step.Forward;
    }

    private Activity? StartSpan(ReadOnlySpan<byte> head, HttpRoute route) => ProxyTracing.StartRequest(
        System.Text.Encoding.ASCII.GetString(head[..request.MethodLength]),
        route.Input,
        request.TraceParentLine >= 0 ? System.Text.Encoding.ASCII.GetString(head[request.TraceParent]) : null,
        request.TraceState is { } state ? System.Text.Encoding.ASCII.GetString(head[state]) : null);

    private ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return bytes.FirstSpan;
        }

        var length = (int)Math.Min(bytes.Length, shared.Options.MaxRequestHeadersSize + 4);
        if (scratch is null || scratch.Length < length)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = ArrayPool<byte>.Shared.Rent(length);
        }

        bytes.Slice(0, length).CopyTo(scratch);
        return scratch.AsSpan(0, length);
    }
}
