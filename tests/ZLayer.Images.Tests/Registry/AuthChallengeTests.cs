using ZLayer.Images.Registry;

namespace ZLayer.Images.Tests.Registry;

public sealed class AuthChallengeTests
{
    [Fact]
    public void A_bearer_challenge_gives_realm_service_and_scope()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("""Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push" """));

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example/token", challenge["realm"]);
        Assert.Equal("registry.example", challenge["service"]);
        Assert.Equal("repository:a/b:pull,push", challenge["scope"]);
    }

    [Fact]
    public void Several_challenges_and_escaped_quotes_are_told_apart()
    {
        var challenges = AuthChallenge.Parse("""Basic realm="Registry \"x\"", Bearer realm="https://t",service=svc""");

        Assert.Equal(["Basic", "Bearer"], challenges.Select(c => c.Scheme));
        Assert.Equal("Registry \"x\"", challenges[0]["realm"]);
        Assert.Equal("svc", challenges[1]["service"]);
    }

    [Fact]
    public void An_empty_header_has_no_challenge() => Assert.Empty(AuthChallenge.Parse(""));
}
