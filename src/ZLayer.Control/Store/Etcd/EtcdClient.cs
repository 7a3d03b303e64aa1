using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ZLayer.Control.Store.Etcd;

/// <summary>
/// Calls etcd's JSON gateway: one member at a time, moving to the next when one cannot be reached,
/// and authenticating when the cluster requires it.
/// </summary>
internal sealed class EtcdClient : IDisposable
{
    private readonly EtcdStoreOptions _options;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _authenticating = new(1, 1);
    private int _current;
    private string? _token;

    public EtcdClient(EtcdStoreOptions options)
    {
        _options = options;
        _http = new HttpClient(Handler(options)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Describe => string.Join(", ", _options.Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    /// <summary>
    /// A unary call. Reads move to the next member on any transport failure; writes only when the
    /// request never reached a member, because a write that timed out may have been applied, and
    /// applying it again would make a second revision.
    /// </summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(string path, TRequest body, bool idempotent, CancellationToken ct)
    {
        var failures = new List<string>();
        for (var attempt = 0; attempt < _options.Endpoints.Count; attempt++)
        {
            var endpoint = Endpoint();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                using var response = await SendAsync(endpoint, path, body, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw Failure(path, response.StatusCode, text);
                }

                return JsonSerializer.Deserialize<TResponse>(text, EtcdWire.Json)
                    ?? throw new StoreUnavailableException($"etcd at {endpoint} answered {path} with an empty body");
            }
            catch (HttpRequestException ex) when (idempotent || ex.HttpRequestError == HttpRequestError.ConnectionError)
            {
                failures.Add($"{endpoint.GetLeftPart(UriPartial.Authority)}: {ex.Message}");
                NextEndpoint(endpoint);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && idempotent)
            {
                failures.Add($"{endpoint.GetLeftPart(UriPartial.Authority)}: no answer within {_options.RequestTimeout.TotalSeconds:0.#}s");
                NextEndpoint(endpoint);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new StoreUnavailableException($"etcd at {endpoint.GetLeftPart(UriPartial.Authority)} did not answer {path} within {_options.RequestTimeout.TotalSeconds:0.#}s; the write may or may not have been applied");
            }
            catch (HttpRequestException ex)
            {
                throw new StoreUnavailableException($"etcd at {endpoint.GetLeftPart(UriPartial.Authority)} failed during {path}: {ex.Message}; the write may or may not have been applied", ex);
            }
        }

        throw new StoreUnavailableException($"no etcd member answered {path}: {string.Join("; ", failures)}");
    }

    /// <summary>Starts a streamed call (a watch) on the current member; the caller reads the body and disposes the response.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync<TRequest>(string path, TRequest body, CancellationToken ct)
    {
        var endpoint = Endpoint();
        try
        {
            var response = await SendAsync(endpoint, path, body, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw Failure(path, response.StatusCode, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
                }
            }

            return response;
        }
        catch (HttpRequestException)
        {
            NextEndpoint(endpoint);
            throw;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _authenticating.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync<TRequest>(Uri endpoint, string path, TRequest body, HttpCompletionOption completion, CancellationToken ct)
    {
        for (var retried = false; ; retried = true)
        {
            var token = await TokenAsync(endpoint, retried, ct).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
            {
                Content = JsonContent.Create(body, options: EtcdWire.Json),
            };
            if (token is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", token);
            }

            var response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
            if (token is null || retried || response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
            {
                return response;
            }

            // An auth token lives as long as etcd's token TTL (5 minutes by default): get a new one once.
            response.Dispose();
        }
    }

    private async Task<string?> TokenAsync(Uri endpoint, bool renew, CancellationToken ct)
    {
        if (_options.Username is null)
        {
            return null;
        }

        await _authenticating.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_token is null || renew)
            {
                using var response = await _http.PostAsJsonAsync(
                    new Uri(endpoint, "/v3/auth/authenticate"),
                    new EtcdWire.AuthenticateRequest(_options.Username, _options.Password ?? ""),
                    EtcdWire.Json,
                    ct).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new StoreUnavailableException($"etcd at {endpoint.GetLeftPart(UriPartial.Authority)} refused the login of user '{_options.Username}': {ErrorMessage(text)}");
                }

                _token = JsonSerializer.Deserialize<EtcdWire.AuthenticateResponse>(text, EtcdWire.Json)?.Token
                    ?? throw new StoreUnavailableException($"etcd at {endpoint.GetLeftPart(UriPartial.Authority)} answered the login without a token");
            }

            return _token;
        }
        finally
        {
            _authenticating.Release();
        }
    }

    private Uri Endpoint() => _options.Endpoints[Volatile.Read(ref _current) % _options.Endpoints.Count];

    /// <summary>Moves on from <paramref name="failed"/>, unless another call already did.</summary>
    private void NextEndpoint(Uri failed)
    {
        var seen = Volatile.Read(ref _current);
        if (_options.Endpoints[seen % _options.Endpoints.Count] == failed)
        {
            Interlocked.CompareExchange(ref _current, (seen + 1) % _options.Endpoints.Count, seen);
        }
    }

    private static EtcdCallException Failure(string path, HttpStatusCode status, string body) =>
        new(path, (int)status, TryError(body)?.Code ?? 0, ErrorMessage(body));

    private static EtcdWire.ErrorBody? TryError(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<EtcdWire.ErrorBody>(body, EtcdWire.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string ErrorMessage(string body) => TryError(body) is { } error ? error.Message ?? error.Error ?? body : body;

    private static SocketsHttpHandler Handler(EtcdStoreOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        if (options.CertFile is not null)
        {
            var certificate = X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);
            handler.SslOptions.ClientCertificates = [certificate];
        }

        if (options.CaFile is not null)
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(options.CaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                // Trust the cluster's own CA only, not the machine's store.
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        return handler;
    }
}
