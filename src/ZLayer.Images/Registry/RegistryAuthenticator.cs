using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ZLayer.Images.Registry;

/// <summary>
/// Authorises registry requests the way the distribution spec's clients do: the first request to
/// an endpoint goes anonymous; a 401 tells which scheme it wants. Basic sends this node's login;
/// Bearer fetches a token for the request's scope from the challenge's realm and caches it until it
/// expires, so a pull of many blobs asks for one token.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, RegistrySettings settings, TimeProvider time)
{
    // Tokens are dropped a little before their stated expiry so a request never leaves with one
    // that lapses on the way.
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);

    /// <summary>Adds whatever the endpoint is known to want; nothing when it has not challenged yet.</summary>
    public async Task AuthorizeAsync(HttpRequestMessage request, RegistryEndpoint endpoint, string scope, string describe, CancellationToken ct)
    {
        if (!_challenges.TryGetValue(endpoint.BaseUri.Authority, out var challenge))
        {
            return;
        }

        var credential = CredentialFor(endpoint);
        if (challenge.IsBasic && credential is not null)
        {
            request.Headers.Authorization = Basic(credential);
        }
        else if (challenge.IsBearer)
        {
            var token = await TokenAsync(challenge, scope, credential, describe, ct).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>
    /// Learns from a 401: returns true when a retry can carry credentials it did not carry before
    /// (a new challenge, a token to fetch afresh, a login to send).
    /// </summary>
    public bool Learn(HttpResponseMessage response, RegistryEndpoint endpoint, string scope)
    {
        var header = response.Headers.WwwAuthenticate.ToString();
        var challenge = AuthChallenge.Parse(header).FirstOrDefault(c => c.IsBearer) ?? AuthChallenge.Parse(header).FirstOrDefault(c => c.IsBasic);
        if (challenge is null)
        {
            return false;
        }

        var authority = endpoint.BaseUri.Authority;
        var known = _challenges.TryGetValue(authority, out var previous);
        _challenges[authority] = challenge;
        if (challenge.IsBearer)
        {
            // A token we sent was refused (expired early, revoked): fetch a new one on the retry.
            var removed = _tokens.TryRemove(TokenKey(challenge, scope, CredentialFor(endpoint)), out _);
            return !known || removed || !SameRealm(previous!, challenge);
        }

        return !known && CredentialFor(endpoint) is not null;
    }

    /// <summary>Why a request stayed unauthorised, for the error message.</summary>
    public string Hint(RegistryEndpoint endpoint) => CredentialFor(endpoint) is null
        ? $"no login for {endpoint.BaseUri.Authority}; run `zlayer login {endpoint.BaseUri.Authority}`"
        : $"the login for {endpoint.BaseUri.Authority} was refused";

    private RegistryCredential? CredentialFor(RegistryEndpoint endpoint) => settings.CredentialFor(endpoint.BaseUri.Authority)
        ?? (endpoint.BaseUri.IsDefaultPort ? settings.CredentialFor(endpoint.BaseUri.Host) : null);

    private async Task<string> TokenAsync(AuthChallenge challenge, string scope, RegistryCredential? credential, string describe, CancellationToken ct)
    {
        var key = TokenKey(challenge, scope, credential);
        if (_tokens.TryGetValue(key, out var cached) && cached.ExpiresAt > time.GetUtcNow())
        {
            return cached.Token;
        }

        var realm = challenge["realm"];
        if (realm is null || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("http" or "https"))
        {
            throw new RegistryException($"{describe}: the registry's Bearer challenge has no usable realm ('{realm}')");
        }

        var query = new StringBuilder();
        if (challenge["service"] is { } service)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }

        foreach (var part in scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(part));
        }

        if (credential is not null)
        {
            query.Append(query.Length > 0 ? "&" : "").Append("account=").Append(Uri.EscapeDataString(credential.Username));
        }

        var builder = new UriBuilder(realmUri) { Query = (realmUri.Query.TrimStart('?') is { Length: > 0 } existing ? existing + "&" : "") + query };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credential is not null)
        {
            request.Headers.Authorization = Basic(credential);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException($"{describe}: the token endpoint {realmUri.GetLeftPart(UriPartial.Path)} cannot be reached: {e.Message}", null, e);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? credential is null ? " (no login for this registry; run `zlayer login`)" : " (the login was refused)"
                    : "";
                throw new RegistryException(
                    $"{describe}: the token endpoint {realmUri.GetLeftPart(UriPartial.Path)} refused the token request ({(int)response.StatusCode} {response.ReasonPhrase}){hint}",
                    response.StatusCode);
            }

            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var token = ParseToken(body, realmUri, describe, out var lifetime);
            _tokens[key] = new CachedToken(token, time.GetUtcNow() + lifetime - ExpiryMargin);
            return token;
        }
    }

    private static string ParseToken(byte[] body, Uri realm, string describe, out TimeSpan lifetime)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? token = null;
            if (root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String)
            {
                token = t.GetString();
            }
            else if (root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String)
            {
                token = a.GetString();
            }

            // The token spec's default lifetime is 60 seconds when expires_in is missing.
            var seconds = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) && s > 0 ? s : 60;
            lifetime = TimeSpan.FromSeconds(seconds);
            return string.IsNullOrEmpty(token)
                ? throw new RegistryException($"{describe}: the token endpoint {realm.GetLeftPart(UriPartial.Path)} answered without a token")
                : token;
        }
        catch (JsonException)
        {
            throw new RegistryException($"{describe}: the token endpoint {realm.GetLeftPart(UriPartial.Path)} answered with something that is not JSON");
        }
    }

    private static string TokenKey(AuthChallenge challenge, string scope, RegistryCredential? credential) =>
        $"{challenge["realm"]}\n{challenge["service"]}\n{scope}\n{credential?.Username}";

    private static bool SameRealm(AuthChallenge a, AuthChallenge b) =>
        a.Scheme.Equals(b.Scheme, StringComparison.OrdinalIgnoreCase) && a["realm"] == b["realm"] && a["service"] == b["service"];

    private static AuthenticationHeaderValue Basic(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
}
