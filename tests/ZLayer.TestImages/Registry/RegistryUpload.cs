using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ZLayer.TestImages.Images;

namespace ZLayer.TestImages.Registry;

/// <summary>
/// Pushes built images with raw distribution API calls (monolithic blob uploads, manifest PUTs),
/// answering Basic and Bearer challenges. It exists so fixtures put content in registries
/// without the registry client under test.
/// </summary>
public sealed class RegistryUpload : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUri;
    private readonly string? _username;
    private readonly string? _password;
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> _authorization = new(StringComparer.Ordinal);

    public RegistryUpload(RegistryServer registry)
        : this(registry.BaseUri, registry.Username, registry.Password)
    {
    }

    public RegistryUpload(Uri baseUri, string? username = null, string? password = null)
    {
        _baseUri = baseUri;
        _username = username;
        _password = password;
        _http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>Token requests this pusher made, so tests can tell its traffic from the client's.</summary>
    public int TokenRequests { get; private set; }

    /// <summary>
    /// Pushes every blob, then each child manifest of an index by digest, then the image's own
    /// manifest under <paramref name="tag"/> (or its digest when null). Returns the manifest digest.
    /// </summary>
    public async Task<string> PushAsync(BuiltImage image, string repository, string? tag = "latest", CancellationToken cancellationToken = default)
    {
        foreach (var (digest, _, bytes) in image.Blobs())
        {
            await PushBlobAsync(repository, digest, bytes, cancellationToken);
        }

        foreach (var child in image.Children)
        {
            await PushManifestAsync(repository, child.Digest, child.MediaType, child.Manifest, cancellationToken);
        }

        await PushManifestAsync(repository, tag ?? image.Digest, image.MediaType, image.Manifest, cancellationToken);
        return image.Digest;
    }

    /// <summary>Uploads a blob in one PUT unless the repository already has it.</summary>
    public async Task PushBlobAsync(string repository, string digest, byte[] content, CancellationToken cancellationToken = default)
    {
        using (var head = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Head, Url($"v2/{repository}/blobs/{digest}")), cancellationToken))
        {
            if (head.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
        }

        Uri location;
        using (var start = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Post, Url($"v2/{repository}/blobs/uploads/")), cancellationToken))
        {
            await EnsureAsync(start, HttpStatusCode.Accepted, $"starting the upload of {digest} to {repository}", cancellationToken);
            location = new Uri(Url($"v2/{repository}/blobs/uploads/"), start.Headers.Location ?? throw new RegistryUploadException("upload started without a Location"));
        }

        var separator = location.Query.Length > 0 ? "&" : "?";
        var target = new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest));
        using var put = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Put, target)
        {
            Content = new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        }, cancellationToken);
        await EnsureAsync(put, HttpStatusCode.Created, $"finishing the upload of {digest} to {repository}", cancellationToken);
    }

    /// <summary>PUTs a manifest under a tag or digest; returns the Docker-Content-Digest the registry answered.</summary>
    public async Task<string?> PushManifestAsync(string repository, string reference, string mediaType, byte[] manifest, CancellationToken cancellationToken = default)
    {
        using var put = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Put, Url($"v2/{repository}/manifests/{reference}"))
        {
            Content = new ByteArrayContent(manifest) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
        }, cancellationToken);
        await EnsureAsync(put, HttpStatusCode.Created, $"putting manifest {repository}:{reference}", cancellationToken);
        return put.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
    }

    public void Dispose() => _http.Dispose();

    private Uri Url(string path) => new(_baseUri, path);

    /// <summary>Sends with the authorization this repository last needed; on a 401, answers the challenge once and retries.</summary>
    private async Task<HttpResponseMessage> SendAsync(string repository, Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(repository, create, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var header = response.Headers.WwwAuthenticate.FirstOrDefault()?.ToString();
        response.Dispose();
        if (header is null)
        {
            throw new RegistryUploadException($"registry {_baseUri} answered 401 without a challenge", HttpStatusCode.Unauthorized);
        }

        var challenge = AuthChallenge.Parse(header);
        _authorization[repository] = challenge.IsBearer
            ? new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(challenge, repository, cancellationToken))
            : challenge.IsBasic && _username is not null
                ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_username}:{_password}")))
                : throw new RegistryUploadException($"registry {_baseUri} wants '{header}' and no credentials were given", HttpStatusCode.Unauthorized);
        return await SendOnceAsync(repository, create, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(string repository, Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        using var request = create();
        if (_authorization.TryGetValue(repository, out var authorization))
        {
            request.Headers.Authorization = authorization;
        }

        return await _http.SendAsync(request, cancellationToken);
    }

    private async Task<string> FetchTokenAsync(AuthChallenge challenge, string repository, CancellationToken cancellationToken)
    {
        var realm = challenge.Realm ?? throw new RegistryUploadException($"Bearer challenge without a realm from {_baseUri}");
        // Ask for pull and push whatever this request's challenge named, so one token serves every step of the push.
        var query = new List<string> { "scope=" + Uri.EscapeDataString($"repository:{repository}:pull,push") };
        if (challenge.Service is { } service)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        if (_username is not null)
        {
            query.Add("account=" + Uri.EscapeDataString(_username));
        }

        var separator = realm.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var request = new HttpRequestMessage(HttpMethod.Get, realm + separator + string.Join('&', query));
        if (_username is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_username}:{_password}")));
        }

        TokenRequests++;
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryUploadException($"token request to {realm} answered {(int)response.StatusCode}", response.StatusCode, body);
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return (root.TryGetProperty("token", out var token) ? token.GetString() : null)
            ?? (root.TryGetProperty("access_token", out var access) ? access.GetString() : null)
            ?? throw new RegistryUploadException($"token answer from {realm} holds no token", response.StatusCode, body);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new RegistryUploadException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}", response.StatusCode, body);
        }
    }
}
