using ZLayer.Spec.Values;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Values;

public sealed class ImageReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("nginx:alpine", "docker.io", "library/nginx", "alpine", null, "docker.io/library/nginx:alpine")]
    [InlineData("acme/app", "docker.io", "acme/app", "latest", null, "docker.io/acme/app:latest")]
    [InlineData("docker.io/library/nginx:1.25", "docker.io", "library/nginx", "1.25", null, "docker.io/library/nginx:1.25")]
    [InlineData("index.docker.io/library/nginx", "docker.io", "library/nginx", "latest", null, "docker.io/library/nginx:latest")]
    [InlineData("ghcr.io/acme/storefront:2.4.1", "ghcr.io", "acme/storefront", "2.4.1", null, "ghcr.io/acme/storefront:2.4.1")]
    [InlineData("localhost/x", "localhost", "x", "latest", null, "localhost/x:latest")]
    [InlineData("localhost:5000/team/app", "localhost:5000", "team/app", "latest", null, "localhost:5000/team/app:latest")]
    [InlineData("registry.example.com:5000/app:v1_2-3", "registry.example.com:5000", "app", "v1_2-3", null, "registry.example.com:5000/app:v1_2-3")]
    [InlineData("[::1]:5000/app:1", "[::1]:5000", "app", "1", null, "[::1]:5000/app:1")]
    [InlineData("Registry.Example.com/app", "Registry.Example.com", "app", "latest", null, "Registry.Example.com/app:latest")]
    [InlineData("a/b/c/d:e", "docker.io", "a/b/c/d", "e", null, "docker.io/a/b/c/d:e")]
    [InlineData("my__app.v2-x:TAG", "docker.io", "library/my__app.v2-x", "TAG", null, "docker.io/library/my__app.v2-x:TAG")]
    public void Normalises_like_docker(string text, string registry, string repository, string? tag, string? digest, string canonical)
    {
        Assert.True(ImageReference.TryParse(text, out var image, out var error), error);
        Assert.Equal(registry, image.Registry);
        Assert.Equal(repository, image.Repository);
        Assert.Equal(tag, image.Tag);
        Assert.Equal(digest, image.Digest);
        Assert.Equal(canonical, image.Canonical);
        Assert.Equal(text, image.Original);
        Assert.Equal(text, image.ToSpecString());
    }

    [Fact]
    public void A_digest_pins_the_image_without_a_default_tag()
    {
        var image = ImageReference.Parse($"nginx@sha256:{Hex}");
        Assert.Null(image.Tag);
        Assert.Equal($"sha256:{Hex}", image.Digest);
        Assert.Equal($"docker.io/library/nginx@sha256:{Hex}", image.Canonical);

        var both = ImageReference.Parse($"ghcr.io/acme/app:1.2@sha256:{Hex}");
        Assert.Equal("1.2", both.Tag);
        Assert.Equal($"ghcr.io/acme/app:1.2@sha256:{Hex}", both.Canonical);

        var portAndDigest = ImageReference.Parse($"localhost:5000/app@sha256:{Hex}");
        Assert.Equal("localhost:5000", portAndDigest.Registry);
        Assert.Null(portAndDigest.Tag);
    }

    [Fact]
    public void Short_and_long_spellings_have_one_canonical_form()
    {
        Assert.Equal(ImageReference.Parse("nginx").Canonical, ImageReference.Parse("docker.io/library/nginx:latest").Canonical);
        Assert.Equal(ImageReference.Parse("nginx:alpine").Canonical, ImageReference.Parse("index.docker.io/library/nginx:alpine").Canonical);
        Assert.NotEqual(ImageReference.Parse("nginx").Canonical, ImageReference.Parse("acme/nginx").Canonical);
    }

    [Theory]
    [InlineData("Nginx", "repository names must be lowercase ('Nginx')")]
    [InlineData("acme/MyApp:1", "repository names must be lowercase ('MyApp')")]
    [InlineData("ghcr.io/Acme/app", "repository names must be lowercase ('Acme')")]
    [InlineData("", "image reference is empty")]
    [InlineData("   ", "image reference is empty")]
    [InlineData("nginx:", "tag '' must be 1-128 of letters")]
    [InlineData("nginx:-bad", "tag '-bad' must be 1-128")]
    [InlineData("nginx:.bad", "tag '.bad' must be 1-128")]
    [InlineData("nginx:bad tag", "tag 'bad tag' must be 1-128")]
    [InlineData("nginx:a+b", "tag 'a+b' must be 1-128")]
    [InlineData("nginx:tägé", "tag 'tägé' must be 1-128")]
    [InlineData("nginx@sha256:abc", "digest 'sha256:abc' is not sha256:<64 lowercase hex>")]
    [InlineData("nginx@latest", "digest 'latest' is not")]
    [InlineData("/nginx", "empty path component")]
    [InlineData("acme//app", "empty path component")]
    [InlineData("acme/app/", "empty path component")]
    [InlineData("-nginx", "'-nginx' may hold only lowercase letters, digits and single separators")]
    [InlineData("ng..inx", "'ng..inx' may hold only")]
    [InlineData("ng___inx", "'ng___inx' may hold only")]
    [InlineData("my_registry:5000/app", "registry 'my_registry:5000' is not a host name with an optional port")]
    [InlineData("host:port/app", "registry 'host:port' is not a host name")]
    public void Rejects_invalid_references(string text, string reason)
    {
        Assert.False(ImageReference.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Rejects_uppercase_sha256_digests_and_wrong_lengths()
    {
        Assert.False(ImageReference.TryParse($"nginx@sha256:{Hex.ToUpperInvariant()}", out _, out var upper));
        Assert.Contains("exactly 64 lowercase hex digits", upper);
        Assert.False(ImageReference.TryParse($"nginx@sha256:{Hex}00", out _, out var longer));
        Assert.Contains("exactly 64 lowercase hex digits", longer);
    }

    [Fact]
    public void Rejects_overlong_tags_and_names()
    {
        Assert.True(ImageReference.TryParse("nginx:" + new string('a', 128), out _, out _));
        Assert.False(ImageReference.TryParse("nginx:" + new string('a', 129), out _, out var tag));
        Assert.Contains("must be 1-128", tag);
        Assert.False(ImageReference.TryParse(string.Join('/', Enumerable.Repeat(new string('a', 60), 5)), out _, out var name));
        Assert.Contains("longer than 255 characters", name);
        Assert.False(ImageReference.TryParse(new string('a', 5000), out _, out var huge));
        Assert.Contains("longer than 4096", huge);
    }

    [Fact]
    public void Line_breaks_are_not_part_of_a_valid_name()
    {
        Assert.False(ImageReference.TryParse("acme\n/app", out _, out _));
        Assert.False(ImageReference.TryParse("nginx:1.0\n@sha256:" + Hex, out _, out _));
    }

    [Fact]
    public void Uppercase_image_in_a_spec_is_an_error_at_the_value()
    {
        var yaml = OneService("").Replace("nginx:alpine", "ghcr.io/Acme/app:1", StringComparison.Ordinal);
        var error = SingleError(Load(yaml));
        Assert.Equal("services.web.image.name", error.Path);
        Assert.Equal("'services.web.image.name': invalid image reference 'ghcr.io/Acme/app:1': repository names must be lowercase ('Acme')", error.Message);
        AssertAt(error, yaml, "ghcr.io/Acme");
    }

    [Fact]
    public void The_text_as_written_is_kept()
    {
        var result = Load(OneService(""));
        AssertClean(result);
        var image = result.Spec!.Services["web"].Image!.Name;
        Assert.Equal("nginx:alpine", image.ToString());
        Assert.Equal("docker.io/library/nginx:alpine", image.Canonical);
    }
}
