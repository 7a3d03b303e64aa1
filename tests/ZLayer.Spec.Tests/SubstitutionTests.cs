using ZLayer.Spec.Substitution;

namespace ZLayer.Spec.Tests;

public sealed class SubstitutionTests
{
    private static List<EnvToken> Parse(string value)
    {
        Assert.True(EnvTemplate.TryParse(value, out var tokens, out var error), error);
        return tokens;
    }

    [Fact]
    public void Plain_text_is_one_literal()
    {
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "hello world")], Parse("hello world"));
        Assert.Empty(Parse(""));
    }

    [Fact]
    public void Env_references_are_found_anywhere_in_the_value()
    {
        Assert.Equal(
            [
                new EnvToken(EnvTokenKind.Literal, "postgres://u:"),
                new EnvToken(EnvTokenKind.EnvVar, "PW"),
                new EnvToken(EnvTokenKind.Literal, "@db/x"),
            ],
            Parse("postgres://u:$E:PW@db/x"));
        Assert.Equal([new EnvToken(EnvTokenKind.EnvVar, "A_1"), new EnvToken(EnvTokenKind.EnvVar, "B")], Parse("$E:A_1$E:B"));
    }

    [Fact]
    public void Variable_names_end_at_the_first_non_identifier_character()
    {
        Assert.Equal([new EnvToken(EnvTokenKind.EnvVar, "HOST"), new EnvToken(EnvTokenKind.Literal, ".example.com:80")], Parse("$E:HOST.example.com:80"));
    }

    [Fact]
    public void Double_dollar_is_a_literal_dollar()
    {
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "costs $5 and $E:NOT")], Parse("costs $$5 and $$E:NOT"));
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "$$")], Parse("$$$$"));
    }

    [Fact]
    public void A_lone_dollar_stays_literal()
    {
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "a $ b $")], Parse("a $ b $"));
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "$E")], Parse("$E"));
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "$HOME ${HOME}")], Parse("$HOME ${HOME}"));
    }

    [Theory]
    [InlineData("$E:", 1)]
    [InlineData("abc$E:", 4)]
    [InlineData("$E:9X", 1)]
    [InlineData("ok $E:A then $E: ", 14)]
    public void Env_reference_without_a_name_is_an_error_with_its_position(string value, int position)
    {
        Assert.False(EnvTemplate.TryParse(value, out _, out var error));
        Assert.Equal($"'$E:' at position {position} must be followed by a variable name ([A-Za-z_][A-Za-z0-9_]*)", error);
    }

    [Fact]
    public void Service_references_are_parsed()
    {
        Assert.Equal(
            [
                new EnvToken(EnvTokenKind.Literal, "http://"),
                new EnvToken(EnvTokenKind.ServiceRef, "${api.host}", "api", "host"),
                new EnvToken(EnvTokenKind.Literal, ":"),
                new EnvToken(EnvTokenKind.ServiceRef, "${api.port}", "api", "port"),
                new EnvToken(EnvTokenKind.Literal, "/ "),
                new EnvToken(EnvTokenKind.ServiceRef, "${my-db.endpoint.pg}", "my-db", "endpoint", "pg"),
            ],
            Parse("http://${api.host}:${api.port}/ ${my-db.endpoint.pg}"));
    }

    [Theory]
    [InlineData("${api.hostname}")]
    [InlineData("${api}")]
    [InlineData("${api.endpoint}")]
    [InlineData("${api.endpoint.a.b}")]
    [InlineData("${.host}")]
    [InlineData("${api_x.host}")]
    [InlineData("${api.host")]
    public void Other_braced_text_stays_literal(string value)
    {
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, value)], Parse(value));
    }

    [Fact]
    public void Secret_references_are_whole_values()
    {
        Assert.Equal([new EnvToken(EnvTokenKind.Secret, "$S:pg-password")], Parse("$S:pg-password"));
        Assert.Equal([new EnvToken(EnvTokenKind.Secret, "$secret://prod/KEY")], Parse("$secret://prod/KEY"));
        // Not at the start: upstream passes it through literally.
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "x$S:pg")], Parse("x$S:pg"));
    }

    [Fact]
    public void Invalid_secret_reference_is_an_error()
    {
        Assert.False(EnvTemplate.TryParse("$S:a/b/c", out _, out var error));
        Assert.Equal("invalid secret reference '$S:a/b/c': expected $S:NAME or $S:NAME/field (names: letters, digits, '.', '_', '-')", error);
    }

    // ---- ResolveEnvironment -------------------------------------------------------------------

    private static readonly Dictionary<string, string> Env = new()
    {
        ["USER"] = "alice",
        ["PRICE"] = "$5",
        ["EMPTY"] = "",
    };

    private static string Resolve(string value, out List<string> missing) =>
        EnvTemplate.ResolveEnvironment(value, name => Env.TryGetValue(name, out var v) ? v : null, out missing);

    [Fact]
    public void Resolves_env_references_anywhere()
    {
        Assert.Equal("hi alice!", Resolve("hi $E:USER!", out var missing));
        Assert.Empty(missing);
    }

    [Fact]
    public void Missing_names_are_returned_not_replaced_by_empty_text()
    {
        Resolve("$E:USER $E:NOPE $E:ALSO_NOPE $E:NOPE", out var missing);
        Assert.Equal(["NOPE", "ALSO_NOPE", "NOPE"], missing);
    }

    [Fact]
    public void An_empty_variable_is_not_missing()
    {
        Assert.Equal("[]", Resolve("[$E:EMPTY]", out var missing));
        Assert.Empty(missing);
    }

    [Fact]
    public void Substituted_dollars_are_escaped_for_the_next_stage()
    {
        var once = Resolve("price: $E:PRICE", out _);
        Assert.Equal("price: $$5", once);
        // The next stage reads the escaped text back as the literal value.
        Assert.Equal([new EnvToken(EnvTokenKind.Literal, "price: $5")], Parse(once));
    }

    [Fact]
    public void Escaped_dollars_and_later_stage_references_are_kept()
    {
        Assert.Equal("costs $$5 for alice at ${api.host}", Resolve("costs $$5 for $E:USER at ${api.host}", out var missing));
        Assert.Empty(missing);
        Assert.Equal("$S:pg-password", Resolve("$S:pg-password", out _));
    }

    [Fact]
    public void A_resolved_value_can_be_resolved_again_without_change()
    {
        var once = Resolve("$$E:USER is $E:USER, $E:PRICE", out _);
        var twice = Resolve(once, out var missing);
        Assert.Equal(once, twice);
        Assert.Empty(missing);
    }

    [Fact]
    public void Invalid_templates_are_returned_unchanged()
    {
        Assert.Equal("bad $E:", Resolve("bad $E:", out var missing));
        Assert.Empty(missing);
    }

    [Fact]
    public void Escape_doubles_every_dollar()
    {
        Assert.Equal("$$E:X $$$$", EnvTemplate.Escape("$E:X $$"));
    }

    // ---- SecretReference ----------------------------------------------------------------------

    [Theory]
    [InlineData("$S:pg-password", SecretScope.Deployment, "pg-password", null, null, null, null)]
    [InlineData("$S:db/password", SecretScope.Deployment, "db", "password", null, null, null)]
    [InlineData("$S:@api/token", SecretScope.Service, "token", null, "api", null, null)]
    [InlineData("$S:@api/token/value", SecretScope.Service, "token", "value", "api", null, null)]
    [InlineData("$S::prod/key", SecretScope.Environment, "key", null, null, "prod", null)]
    [InlineData("$S::prod/key/field", SecretScope.Environment, "key", "field", null, "prod", null)]
    [InlineData("$S:acme:prod/key", SecretScope.ProjectEnvironment, "key", null, null, "prod", "acme")]
    [InlineData("$S:acme:prod/key/f.x", SecretScope.ProjectEnvironment, "key", "f.x", null, "prod", "acme")]
    [InlineData("$secret://prod/API_KEY", SecretScope.Environment, "API_KEY", null, null, "prod", null)]
    [InlineData("$secret://prod/API_KEY/field", SecretScope.Environment, "API_KEY", "field", null, "prod", null)]
    public void Secret_reference_forms(string text, SecretScope scope, string name, string? field, string? service, string? environment, string? project)
    {
        Assert.True(SecretReference.TryParse(text, out var reference, out var error), error);
        Assert.Equal(new SecretReference(scope, name, field, service, environment, project), reference);
    }

    [Theory]
    [InlineData("$S:", "expected $S:NAME or $S:NAME/field")]
    [InlineData("$S:a/b/c", "expected $S:NAME or $S:NAME/field")]
    [InlineData("$S:a/", "expected $S:NAME or $S:NAME/field")]
    [InlineData("$S:.hidden", "expected $S:NAME or $S:NAME/field")]
    [InlineData("$S:@svc", "expected $S:@SERVICE/NAME[/field]")]
    [InlineData("$S:@/name", "expected $S:@SERVICE/NAME[/field]")]
    [InlineData("$S:@svc/a/b/c", "expected $S:@SERVICE/NAME[/field]")]
    [InlineData("$S::env", "expected $S::ENV/NAME[/field] or $S:PROJECT:ENV/NAME[/field]")]
    [InlineData("$S:p q:env/name", "expected $S::ENV/NAME[/field] or $S:PROJECT:ENV/NAME[/field]")]
    [InlineData("$secret://prod", "expected $secret://ENV/KEY[/field]")]
    [InlineData("$secret://prod/a/b/c", "expected $secret://ENV/KEY[/field]")]
    [InlineData("$secret:///KEY", "expected $secret://ENV/KEY[/field]")]
    public void Invalid_secret_references(string text, string expected)
    {
        Assert.False(SecretReference.TryParse(text, out _, out var error));
        Assert.Equal($"invalid secret reference '{text}': {expected} (names: letters, digits, '.', '_', '-')", error);
    }

    [Fact]
    public void Secret_names_are_limited_in_length()
    {
        Assert.True(SecretReference.TryParse("$S:" + new string('a', 253), out _, out _));
        Assert.False(SecretReference.TryParse("$S:" + new string('a', 254), out _, out _));
    }
}
