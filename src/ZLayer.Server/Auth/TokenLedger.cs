using System.Text.Json;
using ZLayer.Control.State;

namespace ZLayer.Server.Auth;

/// <summary>
/// Every token the daemon issued and is still in date, with its revocation, in
/// <c>DATA/api-tokens.json</c> (mode 0600, replaced whole on every change). A token is accepted
/// only when its id is here and not revoked, so a revocation takes effect on the next request, and
/// removing the file revokes all. Reads take an immutable snapshot, without a lock: every API
/// request over TCP asks.
/// </summary>
public sealed class TokenLedger
{
    public const string FileName = "api-tokens.json";

    private readonly object _write = new();
    private readonly string _path;
    private readonly TimeProvider _time;
    private volatile Dictionary<string, TokenInfo> _tokens;

    private TokenLedger(string path, TimeProvider time, Dictionary<string, TokenInfo> tokens)
    {
        _path = path;
        _time = time;
        _tokens = tokens;
    }

    /// <summary>The ledger of <paramref name="directory"/> (empty when it has no file yet).</summary>
    /// <exception cref="InvalidDataException">The file is not a ledger; its message names the JSON path.</exception>
    public static TokenLedger Open(string directory, TimeProvider time)
    {
        var path = Path.Combine(directory, FileName);
        var tokens = new Dictionary<string, TokenInfo>(StringComparer.Ordinal);
        if (SecretFiles.ReadText(path) is { } text)
        {
            try
            {
                var file = JsonSerializer.Deserialize<LedgerFile>(text, StateJson.Options)
                    ?? throw new JsonException("the file holds null", "$", null, null);
                foreach (var token in file.Tokens ?? [])
                {
                    tokens[token.Id] = token;
                }
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path} is not a token ledger ({ex.Message}); fix it, or remove it to revoke every token", ex);
            }
        }

        return new TokenLedger(path, time, tokens);
    }

    public TokenInfo? Find(string id) => _tokens.GetValueOrDefault(id);

    /// <summary>The tokens still in date, revoked ones included, oldest first.</summary>
    public IReadOnlyList<TokenInfo> List()
    {
        var now = _time.GetUtcNow();
        return [.. _tokens.Values.Where(t => t.ExpiresAt > now).OrderBy(t => t.IssuedAt).ThenBy(t => t.Id, StringComparer.Ordinal)];
    }

    public void Add(TokenInfo token) => Change(tokens => tokens[token.Id] = token);

    /// <summary>Revokes <paramref name="id"/> (again: no change); null when the ledger has no such token.</summary>
    public TokenInfo? Revoke(string id)
    {
        TokenInfo? revoked = null;
        Change(tokens =>
        {
            if (tokens.TryGetValue(id, out var token))
            {
                revoked = token.RevokedAt is null ? token with { RevokedAt = _time.GetUtcNow() } : token;
                tokens[id] = revoked;
            }
        });
        return revoked;
    }

    /// <summary>
    /// Applies a change to a copy, publishes it, then writes the file. Published first so that a
    /// revocation holds at once even when the disk refuses the write (the caller then sees the
    /// error and retries); tokens already expired are dropped on the way, they are refused anyway.
    /// </summary>
    private void Change(Action<Dictionary<string, TokenInfo>> change)
    {
        lock (_write)
        {
            var now = _time.GetUtcNow();
            var next = _tokens.Values.Where(t => t.ExpiresAt > now).ToDictionary(t => t.Id, StringComparer.Ordinal);
            change(next);
            _tokens = next;
            SecretFiles.Write(_path, JsonSerializer.SerializeToUtf8Bytes(new LedgerFile([.. next.Values.OrderBy(t => t.IssuedAt)]), LedgerJson));
        }
    }

    private static readonly JsonSerializerOptions LedgerJson = new(StateJson.Options) { WriteIndented = true };

    private sealed record LedgerFile(List<TokenInfo>? Tokens);
}
