using System.Security.Cryptography;
using System.Text;

namespace ZLayer.Server.Auth;

/// <summary>
/// The HMAC key that signs and checks the API's tokens: made once (64 random bytes, base64 in
/// <c>DATA/api-signing.key</c>, mode 0600) and kept, so tokens survive restarts. Deleting the file
/// and restarting the daemon invalidates every token it ever issued.
/// </summary>
public static class SigningKeyStore
{
    public const string FileName = "api-signing.key";

    /// <summary>HS256 wants at least 256 bits; 512 is HMAC-SHA256's block size, the most that adds strength.</summary>
    private const int KeyBytes = 64;

    private const int MinimumBytes = 32;

    /// <summary>The key in <paramref name="directory"/>, made there when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but does not hold a key; it is left alone for the operator.</exception>
    public static byte[] LoadOrCreate(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (SecretFiles.ReadText(path) is { } text)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(text.Trim());
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"{path} does not hold a signing key (base64 text expected); remove it to have a new key made, which invalidates every token issued so far");
            }

            return key.Length >= MinimumBytes
                ? key
                : throw new InvalidDataException($"{path} holds a {key.Length}-byte key; at least {MinimumBytes} bytes are needed: remove it to have a new key made, which invalidates every token issued so far");
        }

        var made = RandomNumberGenerator.GetBytes(KeyBytes);
        SecretFiles.Write(path, Encoding.ASCII.GetBytes(Convert.ToBase64String(made) + "\n"));
        return made;
    }
}
