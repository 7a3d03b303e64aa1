using System.Text.Json;

namespace ZLayer.Control.Store.Etcd;

/// <summary>
/// One watch's connection to etcd: a streamed POST /v3/watch whose body is one JSON message per
/// line. When the stream breaks (a member restarts, the network drops) it reconnects, on the next
/// member if need be, from the revision the caller says, so no change is lost or repeated.
/// </summary>
internal sealed class EtcdWatchStream(EtcdClient client, TimeSpan retryDelay) : IAsyncDisposable
{
    private HttpResponseMessage? _response;
    private StreamReader? _reader;

    /// <summary>
    /// The next message with events, or with a compaction; null when <paramref name="ct"/> ends the
    /// watch. <paramref name="request"/> says where to resume if the stream has to be opened again.
    /// </summary>
    public async Task<EtcdWire.WatchResponse?> NextAsync(EtcdWire.WatchRequest request, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                if (_reader is null)
                {
                    _response = await client.OpenStreamAsync("/v3/watch", request, ct).ConfigureAwait(false);
                    _reader = new StreamReader(await _response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
                }

                var line = await _reader.ReadLineAsync(ct).ConfigureAwait(false);
                if (line is null)
                {
                    throw new IOException("etcd closed the watch stream");
                }

                if (line.Length == 0)
                {
                    continue;
                }

                var message = JsonSerializer.Deserialize<EtcdWire.StreamMessage<EtcdWire.WatchResponse>>(line, EtcdWire.Json);
                if (message?.Result is not { } result)
                {
                    throw new IOException($"etcd ended the watch: {message?.Error?.Message ?? line}");
                }

                if (result.CompactRevision > 0 || result.Events is { Count: > 0 })
                {
                    return result;
                }

                if (result.Canceled)
                {
                    throw new IOException($"etcd cancelled the watch: {result.CancelReason}");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or JsonException or EtcdCallException or OperationCanceledException)
            {
                // Nothing of the broken stream was handed out past its last whole message, so
                // opening it again from the caller's resume revision loses and repeats nothing.
                Close();
                try
                {
                    await Task.Delay(retryDelay, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private void Close()
    {
        _reader?.Dispose();
        _response?.Dispose();
        _reader = null;
        _response = null;
    }
}
