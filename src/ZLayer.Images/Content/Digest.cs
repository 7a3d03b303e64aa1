using System.Security.Cryptography;

namespace ZLayer.Images.Content;

/// <summary>
/// An OCI content digest, <c>algorithm:encoded</c>, as manifests, registries and the blob store name
/// content. Only the algorithms the image spec registers are accepted, each with its exact encoded
/// form (lowercase hex of the right length), so that two spellings never name the same bytes.
/// </summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public string Algorithm { get; }

    public string Encoded { get; }

    public static Digest Parse(string text) =>
        TryParse(text, out var digest, out var error) ? digest : throw new FormatException(error);

    public static bool TryParse(string? text, out Digest digest, out string error)
    {
        digest = default;
        var colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon <= 0)
        {
            error = $"'{text}' is not a digest (algorithm:hex, e.g. sha256:...)";
            return false;
        }

        var algorithm = text[..colon];
        var encoded = text[(colon + 1)..];
        var length = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => 0,
        };
        if (length == 0)
        {
            error = $"digest '{text}': unsupported algorithm '{algorithm}' (sha256 or sha512)";
            return false;
        }

        if (encoded.Length != length || !encoded.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            error = $"digest '{text}': {algorithm} needs {length} lowercase hex digits";
            return false;
        }

        digest = new Digest(algorithm, encoded);
        error = "";
        return true;
    }

    public static Digest Sha256(ReadOnlySpan<byte> content) => FromHash("sha256", SHA256.HashData(content));

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) => new(algorithm, Convert.ToHexStringLower(hash));

    /// <summary>A hash of the kind this digest uses, to check content against it while it streams.</summary>
    public IncrementalHash CreateHash() => Algorithm switch
    {
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
    };

    public override string ToString() => Algorithm is null ? "" : $"{Algorithm}:{Encoded}";
}
