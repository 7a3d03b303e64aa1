using ZLayer.TestImages.Registry;

namespace ZLayer.Images.Tests.Fixtures;

/// <summary>One anonymous, one basic-auth and one token-auth registry (with its token server), started together.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string User = "fixture-user";
    public const string Password = "fixture-pass:with colon";

    private RegistryServer? _anonymous;
    private RegistryServer? _basic;
    private RegistryServer? _token;
    private TokenServer? _tokens;

    public RegistryServer Anonymous => _anonymous ?? throw new InvalidOperationException("not started");

    public RegistryServer Basic => _basic ?? throw new InvalidOperationException("not started");

    public RegistryServer Token => _token ?? throw new InvalidOperationException("not started");

    public TokenServer Tokens => _tokens ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _tokens = await TokenServer.StartAsync(new TokenServerOptions { Username = User, Password = Password });
        var anonymous = RegistryServer.StartAnonymousAsync();
        var basic = RegistryServer.StartBasicAuthAsync(User, Password);
        var token = RegistryServer.StartTokenAuthAsync(_tokens);
        Task<RegistryServer>[] starts = [anonymous, basic, token];
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed: stop what did start.
            foreach (var started in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            await _tokens.DisposeAsync();
            throw;
        }

        _anonymous = anonymous.Result;
        _basic = basic.Result;
        _token = token.Result;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { _anonymous, _basic, _token })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }
    }
}
