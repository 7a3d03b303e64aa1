using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Text.Json;
using ZLayer.Images.Content;
using ZLayer.Images.Manifests;
using ZLayer.Spec.Values;

namespace ZLayer.Images.Registry;

/// <summary>
/// The OCI distribution API over HttpClient: manifests and blobs from a registry's mirrors (in
/// order) and then the registry itself, uploads and manifests to the registry itself. Bodies are
/// never decompressed or altered, so what arrives can be checked against its digest.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistrySettings _settings;
    private readonly RegistryAuthenticator _auth;

    public RegistryClient(RegistrySettings settings, RegistryClientOptions? options = null, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        _settings = settings;
        Options = options ?? RegistryClientOptions.Default;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = Options.ResponseTimeout,
        })
        {
            // Each request carries its own header deadline and each body its stall guard; a whole
            // large blob may legitimately take longer than any fixed limit.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(Options.UserAgent);
        _auth = new RegistryAuthenticator(_http, settings, time ?? TimeProvider.System);
    }

    public RegistryClientOptions Options { get; }

    /// <summary>Fetches a manifest or index by tag or digest, trying mirrors first.</summary>
    /// <param name="reference">A tag, or a digest (then the content must hash to it).</param>
    public async Task<FetchedManifest> GetManifestAsync(ImageReference image, string reference, CancellationToken ct = default)
    {
        var describe = $"{image.Original}: manifest {reference}";
        return await FromEndpointsAsync(image, describe, async endpoint =>
        {
            using var response = await SendAsync(
                endpoint,
                Pull(image),
                describe,
                () => Accepting(new HttpRequestMessage(HttpMethod.Get, ManifestUri(endpoint, image, reference))),
                ct).ConfigureAwait(false);
            await EnsureSuccessAsync(response, endpoint, describe, ct).ConfigureAwait(false);
            var content = await ReadLimitedAsync(response, MaxManifestBytes, describe, ct).ConfigureAwait(false);
            var digest = Digest.Sha256(content);
            if (Digest.TryParse(reference, out var pinned, out _))
            {
                if (pinned != digest && Digest.FromHash(pinned.Algorithm, HashOf(pinned, content)) != pinned)
                {
                    throw new RegistryException($"{describe}: the content the registry sent hashes to {digest}, not to the digest asked for; nothing was stored");
                }

                digest = pinned;
            }
            else if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
                && Digest.TryParse(values.FirstOrDefault(), out var claimed, out _)
                && claimed.Algorithm == digest.Algorithm && claimed != digest)
            {
                throw new RegistryException($"{describe}: the registry says its digest is {claimed} but the content hashes to {digest}; nothing was stored");
            }

            return new FetchedManifest(content, response.Content.Headers.ContentType?.MediaType, digest, endpoint.BaseUri);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The digest a tag points at now (a HEAD request), or null when the registry does not say.</summary>
    public async Task<Digest?> ResolveDigestAsync(ImageReference image, string reference, CancellationToken ct = default)
    {
        var describe = $"{image.Original}: manifest {reference}";
        return await FromEndpointsAsync(image, describe, async endpoint =>
        {
            using var response = await SendAsync(
                endpoint,
                Pull(image),
                describe,
                () => Accepting(new HttpRequestMessage(HttpMethod.Head, ManifestUri(endpoint, image, reference))),
                ct).ConfigureAwait(false);
            await EnsureSuccessAsync(response, endpoint, describe, ct).ConfigureAwait(false);
            return response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var digest, out _)
                ? digest
                : (Digest?)null;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Checks that the registry itself accepts this node's login for <paramref name="host"/> (<c>GET /v2/</c>).</summary>
    public async Task CheckLoginAsync(string host, CancellationToken ct = default)
    {
        var endpoint = _settings.EndpointsFor(host)[^1];
        var describe = $"login to {host}";
        using var response = await SendAsync(endpoint, "", describe, () => new HttpRequestMessage(HttpMethod.Get, Api(endpoint, "/v2/")), ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, endpoint, describe, ct).ConfigureAwait(false);
    }

    /// <summary>Opens a blob's body from <paramref name="offset"/> (a Range request when above 0).</summary>
    public async Task<BlobResponse> OpenBlobAsync(ImageReference image, Digest digest, long offset, CancellationToken ct = default)
    {
        var describe = $"{image.Original}: blob {digest}";
        return await FromEndpointsAsync(image, describe, async endpoint =>
        {
            var response = await SendAsync(
                endpoint,
                Pull(image),
                describe,
                () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, Api(endpoint, $"/v2/{image.Repository}/blobs/{digest}"));
                    if (offset > 0)
                    {
                        request.Headers.Range = new RangeHeaderValue(offset, null);
                    }

                    return request;
                },
                ct).ConfigureAwait(false);
            try
            {
                await EnsureSuccessAsync(response, endpoint, describe, ct).ConfigureAwait(false);
                var start = response.StatusCode == HttpStatusCode.PartialContent ? response.Content.Headers.ContentRange?.From ?? 0 : 0;
                var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                return new BlobResponse(response, new StallGuardStream(body, Options.StallTimeout, () => describe), start, response.Content.Headers.ContentLength);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Whether the registry itself already holds a blob in <paramref name="image"/>'s repository.</summary>
    public async Task<bool> BlobExistsAsync(ImageReference image, Digest digest, CancellationToken ct = default)
    {
        var endpoint = Self(image);
        var describe = $"{image.Original}: blob {digest}";
        using var response = await SendAsync(endpoint, Push(image), describe, () => new HttpRequestMessage(HttpMethod.Head, Api(endpoint, $"/v2/{image.Repository}/blobs/{digest}")), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, endpoint, describe, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Asks the registry to link a blob it holds in <paramref name="fromRepository"/> into
    /// <paramref name="image"/>'s repository without an upload. False when it would not (other
    /// registry, no access, unknown blob): the caller uploads instead.
    /// </summary>
    public async Task<bool> MountBlobAsync(ImageReference image, string fromRepository, Digest digest, CancellationToken ct = default)
    {
        var endpoint = Self(image);
        var describe = $"{image.Original}: blob {digest}";
        var uri = Api(endpoint, $"/v2/{image.Repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(fromRepository)}");
        using var response = await SendAsync(endpoint, $"{Push(image)} repository:{fromRepository}:pull", describe, () => new HttpRequestMessage(HttpMethod.Post, uri), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location)
        {
            // The registry opened an upload instead of mounting: cancel it so it does not linger.
            using var cancel = await SendAsync(endpoint, Push(image), describe, () => new HttpRequestMessage(HttpMethod.Delete, new Uri(endpoint.BaseUri, location)), ct).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Uploads a blob in one PUT (monolithic upload); <paramref name="open"/> is called again if the request must be re-sent.</summary>
    public async Task UploadBlobAsync(ImageReference image, Digest digest, long size, Func<Stream> open, CancellationToken ct = default)
    {
        var endpoint = Self(image);
        var describe = $"{image.Original}: blob {digest}";
        using var start = await SendAsync(endpoint, Push(image), describe, () => new HttpRequestMessage(HttpMethod.Post, Api(endpoint, $"/v2/{image.Repository}/blobs/uploads/")), ct).ConfigureAwait(false);
        await EnsureSuccessAsync(start, endpoint, describe, ct).ConfigureAwait(false);
        var location = start.Headers.Location ?? throw new RegistryException($"{describe}: the registry opened an upload without a Location");
        var target = new Uri(endpoint.BaseUri, location);
        var put = new UriBuilder(target) { Query = (target.Query.TrimStart('?') is { Length: > 0 } q ? q + "&" : "") + "digest=" + Uri.EscapeDataString(digest.ToString()) }.Uri;
        using var done = await SendAsync(endpoint, Push(image), describe, () =>
        {
            var content = new StreamContent(open());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = size;
            return new HttpRequestMessage(HttpMethod.Put, put) { Content = content };
        }, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(done, endpoint, describe, ct).ConfigureAwait(false);
    }

    /// <summary>Stores a manifest or index under a tag (or its digest) in the registry itself.</summary>
    public async Task PutManifestAsync(ImageReference image, string reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken ct = default)
    {
        var endpoint = Self(image);
        var describe = $"{image.Original}: manifest {reference}";
        using var response = await SendAsync(endpoint, Push(image), describe, () =>
        {
            var body = new ReadOnlyMemoryContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, ManifestUri(endpoint, image, reference)) { Content = body };
        }, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, endpoint, describe, ct).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    // A manifest is a small JSON document; anything this large is an attack or a mistake.
    private const int MaxManifestBytes = 4 * 1024 * 1024;

    private static string Pull(ImageReference image) => $"repository:{image.Repository}:pull";

    private static string Push(ImageReference image) => $"repository:{image.Repository}:pull,push";

    private static Uri ManifestUri(RegistryEndpoint endpoint, ImageReference image, string reference) =>
        Api(endpoint, $"/v2/{image.Repository}/manifests/{reference}");

    /// <summary>An API path under the endpoint, keeping a mirror's own path prefix (https://mirror.example/hub/v2/...).</summary>
    private static Uri Api(RegistryEndpoint endpoint, string path) =>
        new(endpoint.BaseUri, endpoint.BaseUri.AbsolutePath.TrimEnd('/') + path);

    private static HttpRequestMessage Accepting(HttpRequestMessage request)
    {
        foreach (var type in MediaTypes.Manifests)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        return request;
    }

    private static byte[] HashOf(Digest digest, byte[] content)
    {
        using var hash = digest.CreateHash();
        hash.AppendData(content);
        return hash.GetHashAndReset();
    }

    private RegistryEndpoint Self(ImageReference image) => _settings.EndpointsFor(image.Registry)[^1];

    /// <summary>
    /// Runs <paramref name="fetch"/> against each endpoint in turn: a mirror that fails in any way
    /// hands over to the next; the registry itself is the last word. The error names every
    /// endpoint's failure so a broken mirror is visible even when the registry also failed.
    /// </summary>
    private async Task<T> FromEndpointsAsync<T>(ImageReference image, string describe, Func<RegistryEndpoint, Task<T>> fetch, CancellationToken ct)
    {
        var failures = new List<string>();
        var endpoints = _settings.EndpointsFor(image.Registry);
        foreach (var endpoint in endpoints)
        {
            try
            {
                return await fetch(endpoint).ConfigureAwait(false);
            }
            catch (RegistryException e) when (endpoint.IsMirror && !ct.IsCancellationRequested)
            {
                failures.Add($"mirror {endpoint.BaseUri}: {e.Message}");
            }
            catch (RegistryException e) when (failures.Count > 0)
            {
                throw new RegistryException($"{e.Message} (after {string.Join("; ", failures)})", e.Status, e);
            }
        }

        throw new RegistryException($"{describe}: no endpoint answered ({string.Join("; ", failures)})");
    }

    private async Task<HttpResponseMessage> SendAsync(RegistryEndpoint endpoint, string scope, string describe, Func<HttpRequestMessage> create, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = create();
            await _auth.AuthorizeAsync(request, endpoint, scope, describe, ct).ConfigureAwait(false);
            HttpResponseMessage response;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                deadline.CancelAfter(Options.ResponseTimeout);
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new RegistryException($"{describe}: {endpoint.BaseUri.Authority} did not answer within {Options.ResponseTimeout.TotalSeconds:0.#} s");
                }
                catch (HttpRequestException e)
                {
                    throw new RegistryException($"{describe}: cannot reach {endpoint.BaseUri.GetLeftPart(UriPartial.Authority)}: {e.Message}", null, e);
                }
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && _auth.Learn(response, endpoint, scope))
            {
                response.Dispose();
                continue;
            }

            return response;
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, RegistryEndpoint endpoint, string describe, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await ErrorDetailAsync(response, ct).ConfigureAwait(false);
        var cause = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"access denied by {endpoint.BaseUri.Authority} ({_auth.Hint(endpoint)})",
            HttpStatusCode.NotFound => $"not found at {endpoint.BaseUri.Authority}",
            _ => $"{endpoint.BaseUri.Authority} answered {(int)response.StatusCode} {response.ReasonPhrase}",
        };
        throw new RegistryException($"{describe}: {cause}{(detail is null ? "" : $": {detail}")}", response.StatusCode);
    }

    /// <summary>The distribution spec's error body (<c>{"errors":[{"code","message"}]}</c>), summarised.</summary>
    private static async Task<string?> ErrorDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (body.Length is 0 or > 65536)
            {
                return null;
            }

            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var parts = errors.EnumerateArray()
                .Select(e => string.Join(" ", new[] { Text(e, "code"), Text(e, "message") }.Where(s => !string.IsNullOrEmpty(s))))
                .Where(s => s.Length > 0)
                .ToList();
            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            return null;
        }

        static string? Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, string describe, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new RegistryException($"{describe}: the manifest is {response.Content.Headers.ContentLength} bytes, more than the {limit} allowed");
        }

        await using var body = new StallGuardStream(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), Options.StallTimeout, () => describe);
        using var copy = new MemoryStream();
        var buffer = new byte[16384];
        int n;
        while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (copy.Length + n > limit)
            {
                throw new RegistryException($"{describe}: the manifest is more than the {limit} bytes allowed");
            }

            copy.Write(buffer, 0, n);
        }

        return copy.ToArray();
    }
}
