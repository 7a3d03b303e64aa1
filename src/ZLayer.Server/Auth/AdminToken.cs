using System.Text;

namespace ZLayer.Server.Auth;

/// <summary>
/// The admin token the daemon makes for itself, so that the first remote client has a way in:
/// kept in <c>DATA/api-admin.token</c> (mode 0600, readable by root on the host) and shown once,
/// when it is made. A start that finds it expired, revoked or issued under another key makes a new
/// one; the local socket can always issue more (<c>zlayer token create</c>).
/// </summary>
public static class AdminToken
{
    public const string FileName = "api-admin.token";

    public const string TokenName = "admin (made by the daemon)";

    /// <summary>The token made by this call; null when the file already holds a good one.</summary>
    public static async Task<string?> EnsureAsync(string directory, TokenAuthority authority)
    {
        var path = Path.Combine(directory, FileName);
        if (SecretFiles.ReadText(path) is { } text &&
            (await authority.ValidateAsync(text.Trim())).Caller is { Role: ApiRole.Admin })
        {
            return null;
        }

        var created = authority.Issue(ApiRole.Admin, TokenRules.MaxTtl, TokenName);
        SecretFiles.Write(path, Encoding.ASCII.GetBytes(created.Token + "\n"));
        return created.Token;
    }
}
