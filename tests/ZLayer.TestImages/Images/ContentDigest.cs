using System.Security.Cryptography;

namespace ZLayer.TestImages.Images;

/// <summary>
/// sha256 digests as the strings manifests and registries use; kept apart from the code under test
/// so a bug there cannot hide in the fixtures.
/// </summary>
public static class ContentDigest
{
    public static string Sha256(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The hex part of a digest, as blob paths in layouts and archives use it.</summary>
    public static string Hex(string digest) => digest[(digest.IndexOf(':') + 1)..];
}
