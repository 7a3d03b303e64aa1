using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZLayer.TestImages.Registry;

/// <summary>
/// The token endpoint a token-auth <see cref="RegistryServer"/> sends clients to (the Docker
/// registry token protocol): <c>GET /token?service=..&amp;scope=..&amp;account=..</c> with optional basic
/// auth, or the OAuth2 password grant by <c>POST /token</c>. It grants what is asked (optionally
/// only some actions), can require credentials, can refuse everything, and records each request
/// so tests can see what a client asked for and how often.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string DefaultService = "zlayer-test-registry";
    public const string DefaultIssuer = "zlayer-test-token-server";

    private readonly WebApplication _app;
    private readonly TokenSigner _signer;
    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly List<TokenRequestRecord> _requests = [];
    private int _issued;
    private bool _disposed;

    private TokenServer(TokenServerOptions options, WebApplication app, TokenSigner signer, string directory)
    {
        _app = app;
        _signer = signer;
        _directory = directory;
        Service = options.Service;
        Issuer = options.Issuer;
        Username = options.Username;
        Password = options.Password;
        TokenLifetime = options.TokenLifetime;
        RootCertificatePath = Path.Join(directory, "token-root.pem");
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The realm registries name in their Bearer challenge.</summary>
    public Uri Realm => new(BaseUri, "token");

    public string Service { get; }

    public string Issuer { get; }

    /// <summary>The PEM file the registry's rootcertbundle points at.</summary>
    public string RootCertificatePath { get; }

    public string RootCertificatePem => _signer.CertificatePem;

    /// <summary>When set, requests without these credentials get 401.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>When set, every token request is answered with this status and no token.</summary>
    public HttpStatusCode? RefuseWith { get; set; }

    /// <summary>The lifetime of tokens issued from now on, and the expires_in they are answered with.</summary>
    public TimeSpan TokenLifetime { get; set; }

    /// <summary>How the tokens issued from now on name their signing key.</summary>
    public TokenKeyReference KeyReference { get; set; } = TokenKeyReference.CertificateChain;

    /// <summary>When set, only these actions are granted of those asked for (e.g. only "pull").</summary>
    public IReadOnlySet<string>? GrantableActions { get; set; }

    /// <summary>Token requests seen, refused ones included.</summary>
    public int RequestCount
    {
        get
        {
            lock (_lock)
            {
                return _requests.Count;
            }
        }
    }

    public int IssuedCount => Volatile.Read(ref _issued);

    public IReadOnlyList<TokenRequestRecord> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Every scope asked for so far, in order, repeats included.</summary>
    public IReadOnlyList<string> RequestedScopes => [.. Requests.SelectMany(r => r.Scopes)];

    public static async Task<TokenServer> StartAsync(TokenServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TokenServerOptions();
        var directory = Path.Join(Path.GetTempPath(), $"zlayer-tokens-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = directory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TokenServer(options, app, new TokenSigner(), directory);
        // End with a newline: the registry finds no certificate in PEM blocks that run together,
        // which is what appending another certificate to an unterminated bundle produces.
        await File.WriteAllTextAsync(server.RootCertificatePath, server.RootCertificatePem + "\n", cancellationToken);
        app.MapMethods("/token", [HttpMethods.Get, HttpMethods.Post], server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Signs a token as the endpoint would, for tests that hand one over directly.</summary>
    public string IssueToken(string subject, IEnumerable<TokenAccess> access, TimeSpan? lifetime = null) =>
        _signer.Sign(Issuer, subject, Service, access, DateTimeOffset.UtcNow, lifetime ?? TokenLifetime, KeyReference);

    public void ResetCounters()
    {
        lock (_lock)
        {
            _requests.Clear();
            _issued = 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _signer.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the directory is uniquely named under the temp directory.
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync(context.RequestAborted) : null;
        string? Field(string name) => form?[name].FirstOrDefault() ?? request.Query[name].FirstOrDefault();
        var scopes = (form?["scope"] ?? request.Query["scope"])
            .SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        var service = Field("service");
        var (user, password) = Credentials(request, form);

        var status = Decide(form, service, user, password);
        lock (_lock)
        {
            _requests.Add(new TokenRequestRecord(DateTimeOffset.UtcNow, request.Method, user ?? Field("account"), service, scopes, user is not null, (int)status));
        }

        if (status != HttpStatusCode.OK)
        {
            if (status == HttpStatusCode.Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"zlayer-test-tokens\"";
            }

            await WriteJsonAsync(context, status, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("errors");
                json.WriteStartObject();
                json.WriteString("code", status == HttpStatusCode.Unauthorized ? "UNAUTHORIZED" : "DENIED");
                json.WriteString("message", $"token request refused ({(int)status})");
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            });
            return;
        }

        var granted = scopes.Select(TryParse).OfType<TokenAccess>()
            .Select(a => GrantableActions is { } allowed ? a with { Actions = [.. a.Actions.Where(allowed.Contains)] } : a)
            .Where(a => a.Actions.Count > 0)
            .ToList();
        var now = DateTimeOffset.UtcNow;
        var lifetime = TokenLifetime;
        var token = _signer.Sign(Issuer, user ?? Field("account") ?? "", Service, granted, now, lifetime, KeyReference);
        Interlocked.Increment(ref _issued);
        await WriteJsonAsync(context, HttpStatusCode.OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("token", token);
            json.WriteString("access_token", token);
            json.WriteNumber("expires_in", (long)lifetime.TotalSeconds);
            json.WriteString("issued_at", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        });
    }

    private HttpStatusCode Decide(IFormCollection? form, string? service, string? user, string? password)
    {
        if (RefuseWith is { } refusal)
        {
            return refusal;
        }

        if (form is not null && form["grant_type"].FirstOrDefault() is { } grant && grant != "password")
        {
            // Only the password grant is offered; refresh tokens are never issued.
            return HttpStatusCode.BadRequest;
        }

        if (service is not null && service != Service)
        {
            return HttpStatusCode.BadRequest;
        }

        if (Username is { } required && (user != required || password != Password))
        {
            return HttpStatusCode.Unauthorized;
        }

        return HttpStatusCode.OK;
    }

    private static (string? User, string? Password) Credentials(HttpRequest request, IFormCollection? form)
    {
        if (form?["username"].FirstOrDefault() is { } formUser)
        {
            return (formUser, form["password"].FirstOrDefault());
        }

        var header = request.Headers.Authorization.FirstOrDefault();
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return (null, null);
        }

        var colon = decoded.IndexOf(':');
        return colon < 0 ? (decoded, null) : (decoded[..colon], decoded[(colon + 1)..]);
    }

    private static TokenAccess? TryParse(string scope)
    {
        try
        {
            return TokenAccess.Parse(scope);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, HttpStatusCode status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }
}
