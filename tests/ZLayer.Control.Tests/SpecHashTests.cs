using ZLayer.Control.Model;
using ZLayer.Spec.Loading;

namespace ZLayer.Control.Tests;

public sealed class SpecHashTests
{
    private static string HashOf(string env) =>
        SpecHash.Of(SpecLoader.LoadText($"version: v1\ndeployment: demo\nservices:\n  web:\n    image: {{ name: nginx }}\n    env: {{ A: \"{env}\" }}\n", "t.yaml", new LoadOptions { Format = SpecFormat.ZLayer }).Spec!.Services["web"]);

    [Fact]
    public void Same_spec_same_hash_and_any_change_changes_it()
    {
        Assert.Equal(HashOf("1"), HashOf("1"));
        Assert.NotEqual(HashOf("1"), HashOf("2"));
        Assert.Equal(16, HashOf("1").Length);
    }
}
