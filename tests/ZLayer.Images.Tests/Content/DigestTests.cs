using System.Text;
using ZLayer.Images.Content;

namespace ZLayer.Images.Tests.Content;

public sealed class DigestTests
{
    [Fact]
    public void A_sha256_digest_round_trips_and_matches_the_content()
    {
        var digest = Digest.Sha256(Encoding.UTF8.GetBytes("hello"));
        Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", digest.ToString());
        Assert.Equal(digest, Digest.Parse(digest.ToString()));
    }

    [Theory]
    [InlineData("", "is not a digest")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "is not a digest")]
    [InlineData("md5:5d41402abc4b2a76b9719d911017c592", "unsupported algorithm 'md5'")]
    [InlineData("sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824", "64 lowercase hex digits")]
    [InlineData("sha256:2cf24dba", "64 lowercase hex digits")]
    [InlineData("sha256:../../etc/passwd/0000000000000000000000000000000000000000000000", "64 lowercase hex digits")]
    public void Malformed_digests_are_refused_with_the_reason(string text, string reason)
    {
        // A digest becomes a file name in the store: anything but the canonical form is refused.
        Assert.False(Digest.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains(reason, Assert.Throws<FormatException>(() => Digest.Parse(text)).Message);
    }
}
